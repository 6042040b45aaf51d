namespace MLNetExtensions.Estimators.Plans;

/// <summary>How the encoder layers a stage adds on top of the previous stage's encoder start.</summary>
public enum NewLayerInitialization
{
    /// <summary>Exact copies of the current top layers, in order (Progressive Stacking, MSLT).</summary>
    CopyTopLayers,

    /// <summary>Fresh random initialisation.</summary>
    Random,
}
