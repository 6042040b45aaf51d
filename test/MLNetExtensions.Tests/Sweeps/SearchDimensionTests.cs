using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Estimators.Sweeps;

namespace MLNetExtensions.Tests.Sweeps;

public sealed class SearchDimensionTests
{
    [Fact]
    public void Choices_KeepTheirOrder_AndDropRepeats()
    {
        var dimension = SearchDimension.Choice(4, 2, 4, 3);
        dimension.IsRange.Should().BeFalse();
        dimension.Description.Should().Be("choice[4, 2, 3]");
        var space = new MsltSearchSpace(new MultiStagePlanSettings { TargetDepth = 6, StartDepth = 2, LayersPerStage = 1, TotalSteps = 60, Schedule = { WarmupSteps = 0 } })
        {
            StartDepth = dimension,
        };
        new GridSearch().Propose(space).Candidates.Select(c => c.Settings.StartDepth).Should().Equal(4, 2, 3);
    }

    [Fact]
    public void Ranges_AreDiscretisedEvenly_OnTheirScale()
    {
        SearchDimension.Uniform(0, 0.2).Description.Should().Be("uniform[0, 0.2]");
        Points(SearchDimension.Uniform(0, 0.2), 3).Should().Equal(0, 0.1, 0.2);
        Points(SearchDimension.Uniform(0, 0.2), 1).Should().Equal(0.1);
        Points(SearchDimension.LogUniform(1e-4, 1e-2), 3).Should().Equal(1e-4, 1e-3, 1e-2);
        Points(SearchDimension.LogUniform(1e-4, 1e-3), 2).Should().Equal(1e-4, 1e-3);
        Points(SearchDimension.LogUniform(1e-4, 1e-3), 3)[1].Should().Be(3.16228e-4, "values are rounded to 6 significant digits");
        Points(SearchDimension.IntegerRange(1, 3), 5).Should().Equal(1, 2, 3);
        Points(SearchDimension.IntegerRange(0, 10), 3).Should().Equal(0, 5, 10);
        Points(SearchDimension.IntegerRange(2, 2), 3).Should().Equal(2);
    }

    [Fact]
    public void RandomDraws_StayInTheRange()
    {
        var random = new SweepRandom(7);
        var log = SearchDimension.LogUniform(1e-5, 1e-3);
        var draws = Enumerable.Range(0, 2000).Select(_ => log.Sample(random)).ToArray();
        draws.Should().OnlyContain(x => x >= 1e-5 && x <= 1e-3);
        draws.Count(x => x < 1e-4).Should().BeInRange(800, 1200, "half the draws fall in the lower decade on a log scale");

        var integers = SearchDimension.IntegerRange(2, 5);
        var counts = Enumerable.Range(0, 4000).Select(_ => integers.Sample(random)).GroupBy(x => x).ToDictionary(g => g.Key, g => g.Count());
        counts.Keys.Should().BeEquivalentTo(new[] { 2, 3, 4, 5 });
        counts.Values.Should().OnlyContain(c => c > 850 && c < 1150);
    }

    [Fact]
    public void SweepRandom_IsAFixedSequence()
    {
        var a = new SweepRandom(42);
        var b = new SweepRandom(42);
        var c = new SweepRandom(43);
        var first = Enumerable.Range(0, 10).Select(_ => a.NextDouble()).ToArray();
        first.Should().Equal(Enumerable.Range(0, 10).Select(_ => b.NextDouble()));
        first.Should().NotEqual(Enumerable.Range(0, 10).Select(_ => c.NextDouble()));
        first.Should().OnlyContain(x => x >= 0 && x < 1);
    }

    [Fact]
    public void InvalidDimensions_AreRejected()
    {
        FluentActions.Invoking(() => SearchDimension.Choice<int>()).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => SearchDimension.Uniform(1, 0)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("max");
        FluentActions.Invoking(() => SearchDimension.LogUniform(0, 1)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("min");
        FluentActions.Invoking(() => SearchDimension.Uniform(double.NaN, 1)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("min");
        FluentActions.Invoking(() => SearchDimension.IntegerRange(3, 2)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => SearchDimension.Choice(1.0, double.PositiveInfinity)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new GridSearch(0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new RandomSearch(0, 1)).Should().Throw<ArgumentOutOfRangeException>();
    }

    private static IReadOnlyList<T> Points<T>(SearchDimension<T> dimension, int points)
        where T : notnull => dimension.GridPoints(points);
}
