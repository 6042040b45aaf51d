namespace MLNetExtensions.Transforms.ModelFiles;

/// <summary>The list of component kinds this library can load from model files: one line per fitted transformer.</summary>
internal static class TensorModelComponents
{
    private static readonly Lazy<bool> Registered = new(() =>
    {
        Text.WordPieceTokenizingTransformer.RegisterLoader();
        Bert.BertEmbeddingTransformer.RegisterLoader();
        Classification.BertBinaryClassificationTransformer.RegisterLoader();
        Classification.BertMulticlassClassificationTransformer.RegisterLoader();
        Ids.IdEmbeddingTransformer.RegisterLoader();
        Sequences.PersistentMemoryRnnTransformer.RegisterLoader();
        return true;
    });

    /// <summary>Registers every kind once.</summary>
    public static void EnsureRegistered() => _ = Registered.Value;
}
