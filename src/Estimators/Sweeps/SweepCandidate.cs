using MLNetExtensions.Estimators.Plans;

namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>One point of a <see cref="SearchSpace{TSettings}"/>: valid settings and the full-budget plan they give.</summary>
/// <typeparam name="TSettings">The settings type.</typeparam>
public sealed class SweepCandidate<TSettings>
    where TSettings : class, ISweepSettings<TSettings>
{
    internal SweepCandidate(TSettings settings, TrainingPlan plan)
    {
        Settings = settings;
        Plan = plan;
        Values = settings.ToSweepValues();
        Key = SweepValues.Key(Values);
    }

    /// <summary>The settings (a copy owned by the candidate).</summary>
    public TSettings Settings { get; }

    /// <summary>Every setting as a flat name → value map (numbers, switches, and enum names), in a fixed order.</summary>
    public IReadOnlyDictionary<string, object> Values { get; }

    /// <summary>The plan at the full budget.</summary>
    public TrainingPlan Plan { get; }

    /// <summary>A canonical text of <see cref="Values"/>; two candidates are the same exactly when their keys are equal.</summary>
    public string Key { get; }
}
