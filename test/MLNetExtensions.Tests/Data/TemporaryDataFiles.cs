using System.IO.Compression;
using System.Text;

namespace MLNetExtensions.Tests.Data;

/// <summary>A temporary folder for small hand-written data files, deleted on dispose.</summary>
internal sealed class TemporaryDataFiles : IDisposable
{
    public TemporaryDataFiles()
    {
        Directory = Path.Combine(Path.GetTempPath(), "mlnetext-data-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    /// <summary>Writes a UTF-8 text file (no BOM) and returns its path.</summary>
    public string WriteText(string name, string content)
    {
        var path = Path.Combine(Directory, name);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    /// <summary>Writes a gzip-compressed UTF-8 text file and returns its path.</summary>
    public string WriteGzip(string name, string content)
    {
        var path = Path.Combine(Directory, name);
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        var bytes = new UTF8Encoding(false).GetBytes(content);
        gzip.Write(bytes);
        return path;
    }

    /// <summary>Writes raw bytes and returns the path.</summary>
    public string WriteBytes(string name, byte[] content)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>A path in the folder where no file exists.</summary>
    public string Missing(string name) => Path.Combine(Directory, name);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temporary folder left behind is harmless.
        }
    }
}
