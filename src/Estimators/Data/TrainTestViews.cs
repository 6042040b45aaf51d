using Microsoft.ML;

namespace MLNetExtensions.Estimators.Data;

/// <summary>A training set and a test set drawn from the same data.</summary>
/// <param name="TrainSet">The rows to train on.</param>
/// <param name="TestSet">The held-out rows to evaluate on.</param>
internal sealed record TrainTestViews(IDataView TrainSet, IDataView TestSet);
