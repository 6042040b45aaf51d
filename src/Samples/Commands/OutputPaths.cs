namespace MLNetExtensions.Samples.Commands;

/// <summary>
/// Checks, before a long run starts, that the files it will write can be written, so that a bad path costs a message
/// rather than the run: the path names a file (not a folder), no ancestor of it is a file, and the deepest folder of it
/// that exists is writable. Nothing is created: the writes create the missing folders.
/// </summary>
internal static class OutputPaths
{
    /// <summary>Checks that <paramref name="path"/> can be written.</summary>
    /// <exception cref="ArgumentException">The path cannot be written; the message names <paramref name="option"/>.</exception>
    public static void Check(string path, string option)
    {
        if (string.IsNullOrWhiteSpace(path) || Path.EndsInDirectorySeparator(path))
        {
            throw new ArgumentException($"{option} '{path}' names no file; give a file path.");
        }

        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new ArgumentException($"{option} '{path}' is a folder; give a file path.");
        }

        string? existing = Path.GetDirectoryName(full);
        while (existing is not null && !Directory.Exists(existing))
        {
            if (File.Exists(existing))
            {
                throw new ArgumentException($"{option} '{path}' cannot be written: '{existing}' is a file, not a folder.");
            }

            existing = Path.GetDirectoryName(existing);
        }

        if (existing is null)
        {
            return;
        }

        string probe = Path.Combine(existing, $".write-check-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllBytes(probe, Array.Empty<byte>());
            File.Delete(probe);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{option} '{path}' cannot be written: the folder '{existing}' is not writable ({exception.Message}).", exception);
        }
    }

    /// <summary>
    /// The loss-curve figure written beside a model file (its name with <c>.png</c>), refused when it would be the model
    /// file itself (compared without case, as on case-insensitive file systems), then checked like the model file.
    /// </summary>
    public static string FigureBeside(string modelPath, string option)
    {
        if (string.Equals(Path.GetExtension(modelPath), ".png", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"{option} '{modelPath}' ends in .png, the name of the loss-curve figure written beside the model; give the model file another extension (.zip).");
        }

        string figure = Path.ChangeExtension(modelPath, ".png");
        Check(figure, option);
        return figure;
    }
}
