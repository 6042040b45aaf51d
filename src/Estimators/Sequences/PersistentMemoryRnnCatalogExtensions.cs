using MLNetExtensions.Estimators.Catalogs;
using MLNetExtensions.Estimators.Sequences;
using MLNetExtensions.Transforms.Sequences;

// In ML.NET's own namespace, as ML.NET's extension packages do: `using Microsoft.ML;` is all a pipeline needs.
namespace Microsoft.ML;

/// <summary>The persistent-memory RNN on ML.NET's trainer catalogs (<c>mlContext.MulticlassClassification.Trainers</c>, <c>mlContext.Regression.Trainers</c>).</summary>
public static class PersistentMemoryRnnCatalogExtensions
{
    /// <summary>
    /// Classifies sequences (a float-vector column of <see cref="PersistentMemoryRnnOptions.StepSize"/> values per step)
    /// into the classes of a key label with a persistent-memory RNN, or an LSTM/GRU (<see cref="PersistentMemoryRnnOptions.CellKind"/>);
    /// adds <c>Score</c> (class probabilities) and <c>PredictedLabel</c>.
    /// </summary>
    /// <param name="catalog">The multiclass classification trainers.</param>
    /// <param name="options">Columns, cell, memory and training settings.</param>
    /// <returns>The trainer.</returns>
    public static PersistentMemoryRnnEstimator PersistentMemoryRnn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, PersistentMemoryRnnOptions options) =>
        new(CatalogContext.From(catalog), options, classification: true);

    /// <summary>Classifies sequences with a persistent-memory RNN (default settings beside those given).</summary>
    /// <param name="catalog">The multiclass classification trainers.</param>
    /// <param name="stepSize">D, the features per time step.</param>
    /// <param name="labelColumnName">The key label column.</param>
    /// <param name="featureColumnName">The sequence column (vector of Single).</param>
    /// <param name="cellKind">The cell: persistent memory, its mixture version, LSTM or GRU.</param>
    /// <param name="hiddenSize">Width of the hidden state.</param>
    /// <param name="memorySlots">K, the memory slots.</param>
    /// <param name="epochs">Passes over the training data.</param>
    /// <returns>The trainer.</returns>
    public static PersistentMemoryRnnEstimator PersistentMemoryRnn(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        int stepSize,
        string labelColumnName = "Label",
        string featureColumnName = "Features",
        RnnCellKind cellKind = RnnCellKind.PersistentMemory,
        int hiddenSize = 64,
        int memorySlots = 8,
        int epochs = 20) =>
        catalog.PersistentMemoryRnn(Options(stepSize, labelColumnName, featureColumnName, cellKind, hiddenSize, memorySlots, epochs));

    /// <summary>
    /// Predicts a Single value from sequences (a float-vector column of <see cref="PersistentMemoryRnnOptions.StepSize"/>
    /// values per step) with a persistent-memory RNN, or an LSTM/GRU; adds <c>Score</c>.
    /// </summary>
    /// <param name="catalog">The regression trainers.</param>
    /// <param name="options">Columns, cell, memory and training settings.</param>
    /// <returns>The trainer.</returns>
    public static PersistentMemoryRnnEstimator PersistentMemoryRnn(this RegressionCatalog.RegressionTrainers catalog, PersistentMemoryRnnOptions options) =>
        new(CatalogContext.From(catalog), options, classification: false);

    /// <summary>Predicts a Single value from sequences with a persistent-memory RNN (default settings beside those given).</summary>
    /// <param name="catalog">The regression trainers.</param>
    /// <param name="stepSize">D, the features per time step.</param>
    /// <param name="labelColumnName">The Single label column.</param>
    /// <param name="featureColumnName">The sequence column (vector of Single).</param>
    /// <param name="cellKind">The cell: persistent memory, its mixture version, LSTM or GRU.</param>
    /// <param name="hiddenSize">Width of the hidden state.</param>
    /// <param name="memorySlots">K, the memory slots.</param>
    /// <param name="epochs">Passes over the training data.</param>
    /// <returns>The trainer.</returns>
    public static PersistentMemoryRnnEstimator PersistentMemoryRnn(
        this RegressionCatalog.RegressionTrainers catalog,
        int stepSize,
        string labelColumnName = "Label",
        string featureColumnName = "Features",
        RnnCellKind cellKind = RnnCellKind.PersistentMemory,
        int hiddenSize = 64,
        int memorySlots = 8,
        int epochs = 20) =>
        catalog.PersistentMemoryRnn(Options(stepSize, labelColumnName, featureColumnName, cellKind, hiddenSize, memorySlots, epochs));

    private static PersistentMemoryRnnOptions Options(int stepSize, string labelColumnName, string featureColumnName, RnnCellKind cellKind, int hiddenSize, int memorySlots, int epochs) => new()
    {
        StepSize = stepSize,
        LabelColumnName = labelColumnName,
        FeatureColumnName = featureColumnName,
        CellKind = cellKind,
        HiddenSize = hiddenSize,
        MemorySlots = memorySlots,
        Epochs = epochs,
    };
}
