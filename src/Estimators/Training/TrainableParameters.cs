using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Training;

/// <summary>
/// What one training run updates and how: the parameter groups checked against the model, every other parameter
/// frozen for the run (the model's own <c>requires_grad</c> flags come back on <see cref="Dispose"/>), and the AdamW
/// optimizer over the groups, whose moments are addressed by parameter name for checkpoints and stage-to-stage carry.
/// </summary>
internal sealed class TrainableParameters : IDisposable
{
    private readonly IReadOnlyList<ParameterGroup> _groups;
    private readonly Dictionary<IntPtr, string> _names = new();
    private readonly List<(Parameter Parameter, bool RequiresGrad)> _originalRequiresGrad = new();
    private readonly List<Parameter> _trainable = new();
    private readonly List<AdamW.ParamGroup> _optimizerGroups = new();
    private readonly AdamW _optimizer;

    /// <exception cref="ArgumentException">The groups are empty, overlap, name each other twice or hold parameters the model does not have.</exception>
    public TrainableParameters(nn.Module model, IReadOnlyList<ParameterGroup> groups, TrainingOptions options)
    {
        _groups = groups;
        var modelParameters = model.named_parameters().ToList();
        foreach (var (name, parameter) in modelParameters)
        {
            _names[parameter.Handle] = name;
        }

        var owner = CheckGroups();
        foreach (var (_, parameter) in modelParameters)
        {
            _originalRequiresGrad.Add((parameter, parameter.requires_grad));
            bool trains = owner.ContainsKey(parameter.Handle);
            parameter.requires_grad = trains;
            if (!trains)
            {
                FrozenCount += parameter.numel();
            }
        }

        // Built outside any dispose scope: AdamW allocates its moment tensors here, and a scope would free them.
        foreach (var group in groups)
        {
            _optimizerGroups.Add(new AdamW.ParamGroup(group.Parameters.ToArray(), new AdamW.Options
            {
                LearningRate = options.LearningRate * group.LearningRateMultiplier,
                beta1 = options.Beta1,
                beta2 = options.Beta2,
                eps = options.Epsilon,
                weight_decay = group.ApplyWeightDecay ? options.WeightDecay : 0.0,
                amsgrad = false,
                maximize = false,
            }));
        }

        _optimizer = new AdamW(_optimizerGroups, options.LearningRate, options.Beta1, options.Beta2, options.Epsilon, options.WeightDecay);
    }

    /// <summary>The parameters that train, in group order.</summary>
    public IReadOnlyList<Parameter> Trainable => _trainable;

    /// <summary>Scalar weights that train.</summary>
    public long TrainableCount { get; private set; }

    /// <summary>Scalar weights of the model that are frozen for the run.</summary>
    public long FrozenCount { get; }

    /// <summary>Sets each group's learning rate to <paramref name="learningRate"/> × its multiplier.</summary>
    public void SetLearningRate(double learningRate)
    {
        for (int i = 0; i < _groups.Count; i++)
        {
            _optimizerGroups[i].LearningRate = learningRate * _groups[i].LearningRateMultiplier;
        }
    }

    /// <summary>One AdamW update from the current gradients.</summary>
    public void Step() => _optimizer.step();

    /// <summary>The optimizer's moments by parameter name: views of the live tensors, not copies.</summary>
    public Dictionary<string, OptimizerParameterState> StateView()
    {
        var states = _optimizer.state_dict().State;
        var view = new Dictionary<string, OptimizerParameterState>(_trainable.Count, StringComparer.Ordinal);
        for (int i = 0; i < _trainable.Count; i++)
        {
            var state = (AdamW.State)states[i];
            view.Add(_names[_trainable[i].Handle], new OptimizerParameterState(state.step, state.exp_avg, state.exp_avg_sq));
        }

        return view;
    }

    /// <summary>
    /// Loads saved moments by parameter name: those with a matching name and shape; the others start fresh. A resume
    /// calls <see cref="CheckStateFits"/> first.
    /// </summary>
    public void LoadState(IReadOnlyDictionary<string, OptimizerParameterState> saved)
    {
        var states = _optimizer.state_dict().State;
        using var noGrad = no_grad();
        for (int i = 0; i < _trainable.Count; i++)
        {
            if (saved.TryGetValue(_names[_trainable[i].Handle], out var stored) && stored.ExpAvg.shape.SequenceEqual(_trainable[i].shape))
            {
                var state = (AdamW.State)states[i];
                state.step = stored.Step;
                state.exp_avg.copy_(stored.ExpAvg);
                state.exp_avg_sq.copy_(stored.ExpAvgSq);
            }
        }
    }

    /// <summary>Frees the optimizer and gives the model back its own <c>requires_grad</c> flags.</summary>
    public void Dispose()
    {
        foreach (var (parameter, requiresGrad) in _originalRequiresGrad)
        {
            parameter.requires_grad = requiresGrad;
        }

        _optimizer.Dispose();
    }

    /// <summary>
    /// Throws, naming <paramref name="source"/>, unless <paramref name="saved"/> holds the state of every trainable
    /// parameter, with its shape, and nothing else: what resuming a run needs.
    /// </summary>
    public void CheckStateFits(IReadOnlyDictionary<string, OptimizerParameterState> saved, string source)
    {
        var trainableNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var parameter in _trainable)
        {
            string name = _names[parameter.Handle];
            trainableNames.Add(name);
            if (!saved.TryGetValue(name, out var stored))
            {
                throw new InvalidOperationException(
                    $"{source} has no optimizer state for trainable parameter '{name}' (was it frozen when the checkpoint was written?).");
            }

            if (!stored.ExpAvg.shape.SequenceEqual(parameter.shape) || !stored.ExpAvgSq.shape.SequenceEqual(parameter.shape))
            {
                throw new InvalidOperationException(
                    $"{source} holds optimizer state of shape {TensorSerializer.FormatShape(stored.ExpAvg.shape)} for parameter '{name}', " +
                    $"whose shape is {TensorSerializer.FormatShape(parameter.shape)}.");
            }
        }

        foreach (string name in saved.Keys)
        {
            if (!trainableNames.Contains(name))
            {
                throw new InvalidOperationException($"{source} holds optimizer state for '{name}', which is not trainable in this run.");
            }
        }
    }

    /// <summary>Checks the groups; returns each trainable parameter's group name by handle.</summary>
    private Dictionary<IntPtr, string> CheckGroups()
    {
        if (_groups.Count == 0)
        {
            throw new ArgumentException("At least one parameter group must be given: with none, nothing would train.", "trainableGroups");
        }

        var owner = new Dictionary<IntPtr, string>();
        var groupNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in _groups)
        {
            if (group is null)
            {
                throw new ArgumentException("The parameter groups contain null.", "trainableGroups");
            }

            if (!groupNames.Add(group.Name))
            {
                throw new ArgumentException($"Two parameter groups are named '{group.Name}'.", "trainableGroups");
            }

            if (group.Parameters.Count == 0)
            {
                throw new ArgumentException($"Parameter group '{group.Name}' is empty.", "trainableGroups");
            }

            foreach (var parameter in group.Parameters)
            {
                if (!_names.TryGetValue(parameter.Handle, out string? name))
                {
                    throw new ArgumentException(
                        $"Parameter group '{group.Name}' holds a parameter of shape {TensorSerializer.FormatShape(parameter.shape)} that is not a parameter of the model.",
                        "trainableGroups");
                }

                if (!owner.TryAdd(parameter.Handle, group.Name))
                {
                    throw new ArgumentException(
                        $"Parameter '{name}' is in parameter group '{owner[parameter.Handle]}' and in '{group.Name}'; each parameter may be in one group only.",
                        "trainableGroups");
                }

                if (!parameter.is_floating_point())
                {
                    throw new ArgumentException($"Parameter '{name}' in group '{group.Name}' is of type {parameter.dtype}; only floating-point parameters can train.", "trainableGroups");
                }

                _trainable.Add(parameter);
                TrainableCount += parameter.numel();
            }
        }

        return owner;
    }
}
