namespace MLNetExtensions.Transforms.IO;

/// <summary>
/// Replaces a file atomically: the content goes to a temp file of its own in the same directory
/// (<c>&lt;path&gt;.&lt;random&gt;.tmp</c>), is flushed to disk, and is then renamed over <c>&lt;path&gt;</c>. Readers see
/// the old file or a new one, never a partial one; two writes to one path at once both complete and the later rename
/// wins. A process killed mid-write leaves its temp file beside the destination (safe to delete).
/// </summary>
internal static class AtomicFile
{
    /// <summary>A fresh temp file name for one write of <paramref name="path"/>: each write has its own.</summary>
    private static string TempPathFor(string path) => $"{Path.GetFullPath(path)}.{Guid.NewGuid():N}.tmp";

    /// <summary>Writes <paramref name="path"/> atomically.</summary>
    /// <param name="path">The destination.</param>
    /// <param name="write">Writes the whole content to the stream it receives.</param>
    /// <param name="decorator">Optional wrapper around the file stream (tests inject failures with it).</param>
    public static void Write(string path, Action<Stream> write, Func<Stream, Stream>? decorator = null) =>
        WriteFile(path, temp =>
        {
            using var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 20);
            var target = decorator?.Invoke(file) ?? file;
            write(target);
            target.Flush();
        });

    /// <summary>
    /// Writes <paramref name="path"/> atomically through a writer that needs a file name (ML.NET's
    /// <c>Model.Save</c>, a zip opened for update): <paramref name="writeTo"/> creates the temp file it is given.
    /// </summary>
    /// <param name="path">The destination.</param>
    /// <param name="writeTo">Writes the whole content to the file named by its argument.</param>
    public static void WriteFile(string path, Action<string> writeTo)
    {
        string full = Path.GetFullPath(path);
        string? directory = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        string temp = TempPathFor(full);
        try
        {
            writeTo(temp);
            using (var written = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite))
            {
                written.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a stale temp file is harmless.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
