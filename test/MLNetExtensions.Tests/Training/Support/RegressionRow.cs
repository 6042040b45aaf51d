using Microsoft.ML.Data;

namespace MLNetExtensions.Tests.Training.Support;

/// <summary>A row of the synthetic regression problem.</summary>
public sealed class RegressionRow
{
    /// <summary>Row identifier, to observe the data order.</summary>
    public int Id { get; set; }

    /// <summary>Inputs.</summary>
    [VectorType(RegressionData.FeatureCount)]
    public float[] Features { get; set; } = [];

    /// <summary>Target.</summary>
    public float Label { get; set; }
}
