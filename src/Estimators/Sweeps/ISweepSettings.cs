using MLNetExtensions.Estimators.Plans;

namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>
/// Settings a sweep can search: each candidate is a copy of them that builds its own training plan and lists its
/// values for reports. Implemented by <see cref="MultiStagePlanSettings"/> (MSLT) and <see cref="CoRePlanSettings"/>
/// (coarse-refined training).
/// </summary>
/// <typeparam name="TSettings">The settings type itself.</typeparam>
public interface ISweepSettings<TSettings>
    where TSettings : class, ISweepSettings<TSettings>
{
    /// <summary>A deep copy: changing it leaves these settings as they are.</summary>
    TSettings Clone();

    /// <summary>The full-budget training plan of these settings.</summary>
    /// <exception cref="ArgumentException">The settings are invalid (the message names the setting); sweeps skip such candidates.</exception>
    TrainingPlan BuildPlan();

    /// <summary>Every setting as a flat name → value map (numbers, switches, enum names) in a fixed order; equal maps mean equal candidates.</summary>
    IReadOnlyDictionary<string, object> ToSweepValues();
}
