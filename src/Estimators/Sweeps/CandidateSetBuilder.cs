namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>Collects valid, distinct candidates and the reasons others were skipped.</summary>
internal sealed class CandidateSetBuilder<TSettings>
    where TSettings : class, ISweepSettings<TSettings>
{
    private readonly List<SweepCandidate<TSettings>> candidates = new();
    private readonly HashSet<string> keys = new(StringComparer.Ordinal);
    private readonly List<string> reasons = new();
    private int skipped;

    public int Count => candidates.Count;

    public void Offer(TSettings settings)
    {
        SweepCandidate<TSettings> candidate;
        try
        {
            candidate = new SweepCandidate<TSettings>(settings, settings.BuildPlan());
        }
        catch (ArgumentException exception)
        {
            skipped++;
            string reason = FirstLine(exception);
            if (!reasons.Contains(reason))
            {
                reasons.Add(reason);
            }

            return;
        }

        if (keys.Add(candidate.Key))
        {
            candidates.Add(candidate);
        }
    }

    public CandidateSet<TSettings> Build()
    {
        if (candidates.Count == 0)
        {
            throw new InvalidOperationException(
                $"The search space has no valid candidate ({skipped} combinations skipped): {string.Join(" | ", reasons)}");
        }

        return new CandidateSet<TSettings>(candidates, skipped, reasons);
    }

    /// <summary>The exception's own message, without the "(Parameter …)" / "Actual value was …" lines .NET appends.</summary>
    private static string FirstLine(ArgumentException exception)
    {
        string message = exception.Message.Split('\n')[0].TrimEnd('\r');
        if (exception.ParamName is { } name)
        {
            string suffix = $" (Parameter '{name}')";
            if (message.EndsWith(suffix, StringComparison.Ordinal))
            {
                message = message[..^suffix.Length];
            }
        }

        return message;
    }
}
