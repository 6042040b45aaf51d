using System.Text.Json.Serialization;

namespace MLNetExtensions.Estimators.Plans;

/// <summary>
/// One stage of a <see cref="TrainingPlan"/>: which encoder at which depth, how layers added by this stage
/// start, which parameters train, and for how many optimiser steps. Layers that do not train run forward-only.
/// </summary>
public sealed class TrainingStage
{
    /// <summary>A name for logs and reports.</summary>
    public string Name { get; set; } = "stage";

    /// <summary>The encoder trained in this stage.</summary>
    public EncoderArchitecture Architecture { get; set; } = EncoderArchitecture.Full;

    /// <summary>Number of encoder layers during this stage; layers beyond the previous stage's depth are added on top.</summary>
    public int Depth { get; set; }

    /// <summary>How the layers this stage adds start.</summary>
    public LayerInitialization NewLayers { get; set; } = LayerInitialization.CopyTopLayers;

    /// <summary>The top layers that train; null trains every layer. Layers below run under no_grad.</summary>
    public int? TrainableTopLayers { get; set; }

    /// <summary>Whether the embeddings train (they run forward-only otherwise).</summary>
    public bool TrainEmbeddings { get; set; } = true;

    /// <summary>Whether the masked-LM head trains.</summary>
    public bool TrainHead { get; set; } = true;

    /// <summary>Optimiser steps in this stage.</summary>
    public int Steps { get; set; }

    /// <summary>Whether AdamW moments of parameters that trained before are dropped when this stage starts.</summary>
    public bool ResetOptimizerState { get; set; }

    /// <summary>
    /// A learning-rate schedule that starts with this stage and runs over it and the following stages up to the next
    /// stage that sets its own (coarse-refined training gives each phase one); null continues the current schedule.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public LearningRateScheduleSettings? Schedule { get; set; }

    /// <summary>The number of layers that train at this stage's depth.</summary>
    public int TrainableLayerCount => TrainableTopLayers is { } top ? Math.Min(top, Depth) : Depth;

    /// <summary>A copy.</summary>
    public TrainingStage Clone() => (TrainingStage)MemberwiseClone();

    /// <summary>
    /// Whether <paramref name="added"/> layers can go on top of <paramref name="existing"/> ones started as
    /// <paramref name="initialization"/> says: copying needs a source layer for each new one, fresh layers need none.
    /// The one rule behind plan validation, MSLT settings and <see cref="Bert.BertEncoderGrowth.AppendLayers"/>.
    /// </summary>
    internal static bool CanAddLayers(LayerInitialization initialization, int existing, int added) =>
        initialization != LayerInitialization.CopyTopLayers || added <= existing;
}
