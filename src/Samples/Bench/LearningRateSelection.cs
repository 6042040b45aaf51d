namespace MLNetExtensions.Samples.Bench;

/// <summary>The fine-tuning learning rate chosen on validation sentences, with the validation accuracy of every candidate.</summary>
/// <param name="Candidates">The learning rates tried, in order.</param>
/// <param name="ValidationAccuracies">The validation accuracy of each candidate.</param>
internal sealed record LearningRateSelection(IReadOnlyList<double> Candidates, IReadOnlyList<double> ValidationAccuracies)
{
    /// <summary>The candidate with the highest validation accuracy (the first of equals).</summary>
    public double Best => Candidates[ValidationAccuracies.Select((accuracy, index) => (accuracy, index)).MaxBy(p => p.accuracy).index];
}
