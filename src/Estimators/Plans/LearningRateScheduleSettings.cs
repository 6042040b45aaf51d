using System.Diagnostics.CodeAnalysis;
using MLNetExtensions.Estimators.Training;

namespace MLNetExtensions.Estimators.Plans;

/// <summary>One learning-rate schedule over all the steps of a plan: linear warm-up, then a decay shape.</summary>
public sealed class LearningRateScheduleSettings
{
    /// <summary>The peak learning rate.</summary>
    public double PeakLearningRate { get; set; } = 5e-4;

    /// <summary>Warm-up steps from 0 to the peak.</summary>
    public int WarmupSteps { get; set; } = 100;

    /// <summary>The decay after warm-up.</summary>
    public LearningRateDecay Decay { get; set; } = LearningRateDecay.Linear;

    /// <summary>The learning rate at the last step, as a fraction of the peak.</summary>
    public double FinalFraction { get; set; }

    /// <summary>A copy of these settings.</summary>
    public LearningRateScheduleSettings Clone() => (LearningRateScheduleSettings)MemberwiseClone();

    /// <summary>
    /// Throws naming the first invalid setting of <paramref name="schedule"/>, a schedule over <paramref name="steps"/>
    /// steps (its warm-up must fit in them). Messages read <c>{where}{name}.{Setting} {rule} (was {value}).</c> and the
    /// exception's parameter name is <c>{name}.{Setting}</c>; plans, MSLT and CoRe settings share these checks.
    /// </summary>
    /// <param name="schedule">The schedule; null is refused.</param>
    /// <param name="where">What precedes the schedule's name: the options class (<c>"CoRePlanSettings."</c>) or the plan and stage (<c>"Plan 'x', stage 2 ('s'): "</c>).</param>
    /// <param name="name">The schedule's property, e.g. <c>Schedule</c> or <c>RelaxedSchedule</c>.</param>
    /// <param name="steps">The steps the schedule runs over.</param>
    /// <param name="stepsName">What the message calls those steps, e.g. <c>TotalSteps</c>.</param>
    internal static void Validate(LearningRateScheduleSettings? schedule, string where, string name, long steps, string stepsName)
    {
        Require(schedule, where, name);
        ArgumentOutOfRangeException Bad(string setting, object value, string rule) =>
            new($"{name}.{setting}", value, $"{where}{name}.{setting} {rule} (was {value}).");

        if (!double.IsFinite(schedule.PeakLearningRate) || schedule.PeakLearningRate <= 0)
        {
            throw Bad(nameof(PeakLearningRate), schedule.PeakLearningRate, "must be a finite number > 0");
        }

        if (schedule.WarmupSteps < 0 || schedule.WarmupSteps > steps)
        {
            throw Bad(nameof(WarmupSteps), schedule.WarmupSteps, $"must be in [0, {stepsName} ({steps})]");
        }

        if (!Enum.IsDefined(schedule.Decay))
        {
            throw Bad(nameof(Decay), schedule.Decay, $"must be one of {string.Join(", ", Enum.GetNames<LearningRateDecay>())}");
        }

        // Written so that NaN fails too.
        if (!(schedule.FinalFraction >= 0 && schedule.FinalFraction <= 1))
        {
            throw Bad(nameof(FinalFraction), schedule.FinalFraction, "must be in [0, 1]");
        }
    }

    /// <summary>Throws <see cref="ArgumentNullException"/> naming the schedule (as <see cref="Validate"/> does) when it is null.</summary>
    internal static void Require([NotNull] LearningRateScheduleSettings? schedule, string where, string name)
    {
        if (schedule is null)
        {
            throw new ArgumentNullException(name, $"{where}{name} must be set.");
        }
    }
}
