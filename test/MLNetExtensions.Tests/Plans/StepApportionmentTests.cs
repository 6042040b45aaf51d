using MLNetExtensions.Estimators.Plans;

namespace MLNetExtensions.Tests.Plans;

public sealed class StepApportionmentTests
{
    [Fact]
    public void Parts_AddUpExactly_AndFollowTheWeights()
    {
        var random = new Random(12);
        for (int trial = 0; trial < 500; trial++)
        {
            int count = random.Next(1, 8);
            var weights = Enumerable.Range(0, count).Select(_ => (decimal)(0.01 + random.NextDouble())).ToList();
            int total = random.Next(count, 20_000);
            int[] parts = StepApportionment.Split(total, weights);

            parts.Sum().Should().Be(total);
            parts.Should().OnlyContain(p => p >= 1);
            decimal sum = weights.Sum();
            for (int i = 0; i < count; i++)
            {
                decimal quota = total * weights[i] / sum;
                Math.Abs(parts[i] - quota).Should().BeLessThan(count, "each part is within a few steps of its exact share");
            }
        }
    }

    [Fact]
    public void EqualWeights_GiveTheRemainderToTheEarlierParts()
    {
        StepApportionment.Split(10, new[] { 1m, 1m, 1m, 1m }).Should().Equal(3, 3, 2, 2);
        StepApportionment.Split(3, new[] { 1m, 1000m, 1m }).Should().Equal(1, 1, 1);
    }

    [Fact]
    public void TooFewSteps_OrNonPositiveWeights_AreRejected()
    {
        FluentActions.Invoking(() => StepApportionment.Split(2, new[] { 1m, 1m, 1m })).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => StepApportionment.Split(5, new[] { 1m, 0m })).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => StepApportionment.Split(5, Array.Empty<decimal>())).Should().Throw<ArgumentException>();
    }
}
