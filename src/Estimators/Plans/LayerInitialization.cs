namespace MLNetExtensions.Estimators.Plans;

/// <summary>How a stage initialises the layers it adds on top of the encoder (<see cref="Bert.BertEncoderGrowth.AppendLayers"/>).</summary>
public enum LayerInitialization
{
    /// <summary>
    /// The new layers are exact copies (every tensor copied bit for bit) of the current top layers,
    /// in the same order: appending <c>k</c> layers to <c>n</c> makes layer <c>n + j</c> a copy of
    /// layer <c>n - k + j</c>.
    /// </summary>
    CopyTopLayers = 0,

    /// <summary>Fresh BERT initialisation (normal(0, initializer range) weights, zero biases, unit layer norms).</summary>
    Random = 1,
}
