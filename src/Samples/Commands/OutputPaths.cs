namespace MLNetExtensions.Samples.Commands;

/// <summary>
/// Checks, before a long run starts, that the files it will write can be written, so that a bad path costs a message
/// rather than the run: the path is no directory, no ancestor of it is a file, its folder can be created and written.
/// </summary>
internal static class OutputPaths
{
    /// <summary>Creates the folder of <paramref name="path"/> and proves it writable.</summary>
    /// <exception cref="ArgumentException">The path cannot be written; names <paramref name="option"/>.</exception>
    public static void Check(string path, string option)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new ArgumentException($"{option} '{path}' is a folder; give a file path.", option);
        }

        string folder = Path.GetDirectoryName(full)!;
        for (string? ancestor = folder; ancestor is not null; ancestor = Path.GetDirectoryName(ancestor))
        {
            if (File.Exists(ancestor))
            {
                throw new ArgumentException($"{option} '{path}' cannot be written: '{ancestor}' is a file, not a folder.", option);
            }
        }

        string probe = Path.Combine(folder, $".write-check-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(probe, Array.Empty<byte>());
            File.Delete(probe);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{option} '{path}' cannot be written: the folder '{folder}' is not writable ({exception.Message}).", option, exception);
        }
    }

    /// <summary>
    /// The loss-curve figure written beside a model file (its name with <c>.png</c>), checked like the model file and
    /// refused when it would be the model file itself.
    /// </summary>
    public static string FigureBeside(string modelPath, string option)
    {
        string figure = Path.ChangeExtension(modelPath, ".png");
        if (string.Equals(Path.GetFullPath(figure), Path.GetFullPath(modelPath), StringComparison.Ordinal))
        {
            throw new ArgumentException($"{option} '{modelPath}' ends in .png, the name of the loss-curve figure written beside the model; give the model file another extension (.zip).", option);
        }

        Check(figure, option);
        return figure;
    }
}
