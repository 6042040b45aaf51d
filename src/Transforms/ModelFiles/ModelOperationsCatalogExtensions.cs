using MLNetExtensions.Transforms.ModelFiles;

// In ML.NET's own namespace, as ML.NET's extension packages do: `using Microsoft.ML;` is all a pipeline needs.
namespace Microsoft.ML;

/// <summary>Saving and loading models that contain MLNetExtensions components, on <c>mlContext.Model</c>.</summary>
public static class ModelOperationsCatalogExtensions
{
    /// <summary>
    /// Saves <paramref name="model"/> (any transformer or pipeline, with or without MLNetExtensions components)
    /// to one zip file, with the components' tensors. The file is written atomically: a failure never
    /// leaves a half-written file at <paramref name="filePath"/>.
    /// </summary>
    public static void SaveWithTensors(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema inputSchema, string filePath) =>
        TensorModelFile.Save(GetContext(catalog), model, inputSchema, filePath);

    /// <summary>Loads a model saved by <see cref="SaveWithTensors"/> (or a plain ML.NET model file).</summary>
    /// <exception cref="InvalidDataException">The file is truncated, corrupted, of an unknown format version, or its tensors do not match the declared architecture.</exception>
    public static ITransformer LoadWithTensors(this ModelOperationsCatalog catalog, string filePath, out DataViewSchema inputSchema) =>
        TensorModelFile.Load(GetContext(catalog), filePath, out inputSchema);

    // A catalog's environment is internal to ML.NET (CatalogUtils), so a context of our own reads and writes
    // ML.NET's part of the file; that part depends on no context setting but the component catalog.
    private static MLContext GetContext(ModelOperationsCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new MLContext();
    }
}
