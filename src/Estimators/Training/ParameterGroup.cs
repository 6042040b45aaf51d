using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Training;

/// <summary>
/// A named set of model parameters that train together, with a learning-rate multiplier and a weight-decay switch.
/// Parameters of the model that are in no group are frozen for the run: <c>requires_grad</c> is turned off and the
/// optimizer holds no state for them.
/// </summary>
public sealed class ParameterGroup
{
    /// <summary>Creates a group.</summary>
    /// <param name="name">A name for messages, progress and checkpoints (e.g. "encoder.top").</param>
    /// <param name="parameters">The parameters; each must belong to the trained model and to no other group.</param>
    /// <param name="learningRateMultiplier">Multiplies the scheduled learning rate for this group (≥ 0).</param>
    /// <param name="applyWeightDecay">Whether AdamW's decoupled weight decay applies (commonly off for biases and norms).</param>
    public ParameterGroup(string name, IEnumerable<Parameter> parameters, double learningRateMultiplier = 1.0, bool applyWeightDecay = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(parameters);
        if (!double.IsFinite(learningRateMultiplier) || learningRateMultiplier < 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(learningRateMultiplier),
                learningRateMultiplier,
                $"The learning-rate multiplier of parameter group '{name}' must be a finite number ≥ 0.");
        }

        Name = name;
        Parameters = parameters.ToArray();
        LearningRateMultiplier = learningRateMultiplier;
        ApplyWeightDecay = applyWeightDecay;
    }

    /// <summary>The group's name.</summary>
    public string Name { get; }

    /// <summary>The parameters of the group.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The multiplier applied to the scheduled learning rate.</summary>
    public double LearningRateMultiplier { get; }

    /// <summary>Whether weight decay applies to this group.</summary>
    public bool ApplyWeightDecay { get; }

    /// <summary>A group with every parameter of <paramref name="model"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="name">The group name.</param>
    /// <returns>The group.</returns>
    public static ParameterGroup All(nn.Module model, string name = "all")
    {
        ArgumentNullException.ThrowIfNull(model);
        return new ParameterGroup(name, model.parameters());
    }

    /// <summary>A group with the parameters of <paramref name="model"/> whose qualified names match <paramref name="predicate"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="name">The group name.</param>
    /// <param name="predicate">Selects parameters by their qualified name (as in <c>named_parameters()</c>).</param>
    /// <param name="learningRateMultiplier">Multiplies the scheduled learning rate for this group.</param>
    /// <param name="applyWeightDecay">Whether weight decay applies.</param>
    /// <returns>The group.</returns>
    public static ParameterGroup Where(nn.Module model, string name, Func<string, bool> predicate, double learningRateMultiplier = 1.0, bool applyWeightDecay = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(predicate);
        var selected = model.named_parameters().Where(np => predicate(np.name)).Select(np => np.parameter);
        return new ParameterGroup(name, selected, learningRateMultiplier, applyWeightDecay);
    }

    /// <summary>
    /// Splits <paramref name="parameters"/> into the group that weight decay applies to and the group it does not:
    /// matrices and embedding tables (two dimensions or more) decay; biases and normalisation weights (one dimension)
    /// do not, as in BERT's and GPT-2's training. Empty groups are left out.
    /// </summary>
    /// <param name="name">The name of the decaying group.</param>
    /// <param name="parameters">The parameters to split, in order.</param>
    /// <param name="learningRateMultiplier">Multiplies the scheduled learning rate for both groups.</param>
    /// <param name="noDecayName">The name of the other group; <c>{name}.no_decay</c> when null.</param>
    /// <returns>One or two groups.</returns>
    public static IReadOnlyList<ParameterGroup> SplitByWeightDecay(string name, IEnumerable<Parameter> parameters, double learningRateMultiplier = 1.0, string? noDecayName = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var all = parameters.ToList();
        var groups = new List<ParameterGroup>(2);
        var decaying = all.Where(p => p.dim() >= 2).ToList();
        var exempt = all.Where(p => p.dim() < 2).ToList();
        if (decaying.Count > 0)
        {
            groups.Add(new ParameterGroup(name, decaying, learningRateMultiplier));
        }

        if (exempt.Count > 0)
        {
            groups.Add(new ParameterGroup(noDecayName ?? name + ".no_decay", exempt, learningRateMultiplier, applyWeightDecay: false));
        }

        return groups;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Name} ({Parameters.Count} tensors, lr×{LearningRateMultiplier}, weight decay {(ApplyWeightDecay ? "on" : "off")})";
}
