namespace MLNetExtensions.Estimators.Classification;

/// <summary>
/// The checks every classifier's options share (gradient clipping, threads, validation rows, early stopping), with
/// messages naming the options class and the option, so each trainer's <c>Validate</c> states only what is its own.
/// </summary>
internal static class ClassifierTrainingSettingsCheck
{
    /// <summary>Throws an exception naming the first invalid shared setting of <paramref name="optionsName"/>.</summary>
    public static void Validate(string optionsName, double? maxGradientNorm, int? numberOfThreads, double? validationFraction, bool hasValidationData, int? earlyStoppingPatience)
    {
        if (maxGradientNorm is double norm && !(double.IsFinite(norm) && norm > 0))
        {
            throw Bad(optionsName, "MaxGradientNorm", norm, "must be a finite number > 0 when set");
        }

        if (numberOfThreads is < 1)
        {
            throw Bad(optionsName, "NumberOfThreads", numberOfThreads, "must be ≥ 1 when set");
        }

        if (validationFraction is double fraction && !(fraction > 0 && fraction < 1))
        {
            throw Bad(optionsName, "ValidationFraction", fraction, "must be in (0, 1) when set");
        }

        if (validationFraction is not null && hasValidationData)
        {
            throw new ArgumentException(
                $"{optionsName}.ValidationData and {optionsName}.ValidationFraction are both set; give validation rows one way only.",
                "ValidationFraction");
        }

        if (earlyStoppingPatience is < 1)
        {
            throw Bad(optionsName, "EarlyStoppingPatience", earlyStoppingPatience, "must be ≥ 1 when set");
        }
    }

    /// <summary>An out-of-range error in the options' common wording: <c>Options.Option rule, but was value.</c></summary>
    public static ArgumentOutOfRangeException Bad(string optionsName, string option, object? value, string rule) =>
        new(option, value, $"{optionsName}.{option} {rule}, but was {value}.");
}
