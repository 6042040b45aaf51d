using System.Text.Json;
using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Estimators.Sweeps;

namespace MLNetExtensions.Tests.Sweeps;

public sealed class SweepResultTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "mlnx-sweep-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static SweepResult<MultiStagePlanSettings> Sweep(Action<TrialRequest, CancellationToken>? beforeRun = null)
    {
        var space = new MsltSearchSpace(new MultiStagePlanSettings { TargetDepth = 6, TotalSteps = 600, Schedule = { WarmupSteps = 60 } })
        {
            StartDepth = SearchDimension.Choice(2, 3),
            LayersPerStage = SearchDimension.Choice(1, 2, 3),
            PeakLearningRate = SearchDimension.Choice(3e-4, 1e-3),
        };
        return new GridSearch().Run("depths", space, new FakeTrialRunner { BeforeRun = beforeRun });
    }

    [Fact]
    public void WriteJson_WritesEveryTrial_Atomically()
    {
        var result = Sweep((request, _) =>
        {
            if (request.TrialId == 4)
            {
                throw new InvalidOperationException("diverged");
            }
        });
        string path = SweepResult.DefaultPath("depths", directory);
        path.Should().Be(Path.Combine(directory, "artifacts", "sweep", "depths.json"));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "old content");

        result.WriteJson(path);

        Directory.GetFiles(Path.GetDirectoryName(path)!).Should().Equal(path);
        string json = File.ReadAllText(path);
        json.Should().Be(result.ToJson());
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        root.GetProperty("name").GetString().Should().Be("depths");
        root.GetProperty("strategy").GetString().Should().Be("grid(pointsPerRange=3)");
        root.GetProperty("searchSpace").GetProperty("LayersPerStage").GetString().Should().Be("choice[1, 2, 3]");
        root.GetProperty("skipped").GetInt32().Should().Be(4, "(2, 3) and (3, 2) do not divide the growth, at two learning rates");
        root.GetProperty("ranking").EnumerateArray().Select(e => e.GetInt32()).Should().Equal(result.Ranking.Select(t => t.Id));
        root.GetProperty("best").GetProperty("trial").GetInt32().Should().Be(result.Best!.Id);
        root.GetProperty("best").GetProperty("settings").GetProperty("PeakLearningRate").GetDouble().Should().Be(3e-4);

        var trials = root.GetProperty("trials").EnumerateArray().ToArray();
        trials.Should().HaveCount(result.Trials.Count);
        var failed = trials.Single(t => t.GetProperty("id").GetInt32() == 4);
        failed.GetProperty("status").GetString().Should().Be("failed");
        failed.GetProperty("message").GetString().Should().Be("InvalidOperationException: diverged");
        failed.GetProperty("validationLoss").ValueKind.Should().Be(JsonValueKind.Null);
        failed.GetProperty("rank").ValueKind.Should().Be(JsonValueKind.Null);

        var first = trials[0];
        first.GetProperty("status").GetString().Should().Be("completed");
        first.GetProperty("steps").GetInt64().Should().Be(600);
        first.GetProperty("seconds").GetDouble().Should().Be(0.6);
        first.GetProperty("budgetFraction").GetDouble().Should().Be(1);
        first.GetProperty("metrics").GetProperty("accuracy").GetDouble().Should().Be(0.5);
        var settings = first.GetProperty("settings");
        settings.GetProperty("StartDepth").GetInt32().Should().Be(2);
        settings.GetProperty("NewLayers").GetString().Should().Be("CopyTopLayers");
        settings.GetProperty("TrainHeadInLaterStages").GetBoolean().Should().BeTrue();
        first.GetProperty("runs").GetArrayLength().Should().Be(1);

        var plan = TrainingPlan.FromJson(first.GetProperty("plan").GetRawText());
        plan.Should().BeEquivalentTo(MultiStagePlans.Mslt(result.Trials[0].Settings));
        result.Trials[0].PlanJson.Should().Be(plan.ToJson());
    }

    [Fact]
    public void ToTable_ListsRankedTrialsFirst_ThenTheOthers()
    {
        var result = Sweep((request, _) =>
        {
            if (request.TrialId == 1)
            {
                throw new InvalidOperationException("diverged");
            }
        });

        var table = result.ToTable();

        table.Columns.Should().Equal("Rank", "Trial", "StartDepth", "LayersPerStage", "PeakLearningRate", "Rung", "Budget", "Steps", "Seconds", "Validation loss", "Status");
        table.Rows.Should().HaveCount(result.Trials.Count).And.OnlyContain(r => r.Count == table.Columns.Count);
        table.Rows.Take(result.Ranking.Count).Select(r => r[0]).Should().Equal(Enumerable.Range(1, result.Ranking.Count).Select(i => i.ToString()));
        table.Rows[0].Should().Equal("1", "5", "3", "1", "0.0003", "0", "1", "600", "0.6", "2.0000", "completed");
        table.Rows[^1].Should().Equal("-", "1", "2", "1", "0.0003", "0", "1", "0", "0.0", "-", "failed: InvalidOperationException: diverged");
    }

    [Fact]
    public void DefaultPath_RejectsNamesThatAreNotFileNames()
    {
        FluentActions.Invoking(() => SweepResult.DefaultPath("a/b")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => SweepResult.DefaultPath(" ")).Should().Throw<ArgumentException>();
        SweepResult.DefaultPath("lr").Should().Be(Path.Combine(".", "artifacts", "sweep", "lr.json"));
    }

    [Fact]
    public void TrialsAreSnapshots_ThatOwnTheirSettings()
    {
        var result = Sweep();
        var settings = result.BestSettings!;
        settings.StartDepth = 99;
        result.BestSettings!.StartDepth.Should().NotBe(99);
        result.Best!.Values["StartDepth"].Should().Be(result.Best.Settings.StartDepth);
    }
}
