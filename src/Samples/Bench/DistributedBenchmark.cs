using Microsoft.ML;
using MLNetExtensions.Estimators.Bert;
using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Estimators.Training.Distributed;
using MLNetExtensions.Samples.Reporting;
using Spectre.Console;

namespace MLNetExtensions.Samples.Bench;

/// <summary>
/// <c>bench distributed</c>: the full-depth baseline and MSLT 2 → 4 → 6 pre-trained data-parallel, run once per rank count
/// (<c>mpiexec -n 2 dotnet … bench distributed</c>, and with <c>-n 1</c> or without mpiexec for the reference). The job's
/// batch is the same at every rank count (32 rows split over the ranks), so the runs see the same number of examples.
/// Writes artifacts/bench/distributed-n{ranks}.json per run and artifacts/bench/distributed.json comparing every run written so far.
/// </summary>
internal static class DistributedBenchmark
{
    public static int Run(bool quick)
    {
        int ranks = DataParallelEnvironment.Size;
        var full = MsltBenchmark.Setup(quick);
        int jobBatch = full.BatchSize;
        if (jobBatch % ranks != 0)
        {
            throw new ArgumentException($"bench distributed splits a job batch of {jobBatch} rows over the ranks; {ranks} ranks do not divide it.");
        }

        // Fewer steps than bench mslt so that every run finishes within 20 minutes on 2 cores.
        var setup = full with { BatchSize = jobBatch / ranks, TotalSteps = quick ? 40 : 600, ValidateEveryNSteps = quick ? 20 : 100, WarmupSteps = quick ? 4 : 60 };
        var mlContext = new MLContext(seed: 42);
        var corpus = SampleData.Corpus(mlContext, setup.MaximumSentences);
        var plans = new (string Name, TrainingPlan Plan)[]
        {
            ("baseline", MultiStagePlans.FullDepth(setup.FinalDepth, setup.TotalSteps, setup.Schedule)),
            ("mslt", MsltBenchmark.MsltPlan(setup)),
        };

        var methods = new Dictionary<string, DistributedMethodResult>();
        string loadBefore = JsonArtifact.LoadAverage();
        foreach (var (name, plan) in plans)
        {
            using var method = PretrainedMethod.Run(mlContext, name, plan, setup, corpus);
            methods[name] = Describe(method.Report, jobBatch);
        }

        if (!DataParallelEnvironment.IsLeader)
        {
            return 0;
        }

        string directory = Path.Combine("artifacts", "bench");
        var run = new DistributedRun
        {
            Quick = quick,
            Ranks = ranks,
            BatchSizePerRank = setup.BatchSize,
            JobBatchSize = jobBatch,
            TotalSteps = setup.TotalSteps,
            Methods = methods,
            LoadAverageBefore = loadBefore,
            LoadAverageAfter = JsonArtifact.LoadAverage(),
        };
        JsonArtifact.Write(Path.Combine(directory, $"distributed-n{ranks}.json"), run);
        var summary = Compare(directory, quick);
        JsonArtifact.Write(Path.Combine(directory, "distributed.json"), summary);
        PrintTable(run, summary);
        AnsiConsole.MarkupLine($"Wrote [bold]{Path.Combine(directory, $"distributed-n{ranks}.json")}[/] and distributed.json");
        return 0;
    }

    private static DistributedMethodResult Describe(StagedTrainingReport report, int jobBatch) => new()
    {
        WallSeconds = report.TrainingSeconds,
        Steps = report.Steps,
        Examples = report.Steps * jobBatch,
        FinalValMlmLoss = report.FinalValidationLoss,
        Stages = report.Stages.Select(s => new DistributedStageResult
        {
            Name = s.Name,
            Depth = s.Depth,
            TrainableLayers = s.TrainableLayers,
            TrainableParameterBytes = s.TrainableParameterCount * sizeof(float),
            AllreduceBytesPerStep = s.DataParallel?.AllReduceBytesPerStep,
            AllreduceMsPerStep = s.DataParallel?.AllReduceMillisecondsPerStep,
            StepMs = s.MillisecondsPerStep,
            ValMlmLossAtEnd = s.ValidationLoss,
        }).ToList(),
    };

    /// <summary>Every run written so far, with the targets: bytes per stage = trainable bytes, and the loss against one rank's.</summary>
    private static DistributedSummary Compare(string directory, bool quick)
    {
        var runs = Directory.GetFiles(directory, "distributed-n*.json")
            .Select(JsonArtifact.Read<DistributedRun>)
            .Where(r => r.Quick == quick)
            .OrderBy(r => r.Ranks)
            .ToList();
        var reference = runs.FirstOrDefault(r => r.Ranks == 1);
        var comparisons = new List<DistributedComparison>();
        foreach (var run in runs.Where(r => r.Ranks > 1))
        {
            var baselineBytes = run.Methods["baseline"].Stages[0].AllreduceBytesPerStep ?? 0;
            foreach (var (name, method) in run.Methods)
            {
                double? oneRankLoss = reference?.Methods.GetValueOrDefault(name)?.FinalValMlmLoss;
                comparisons.Add(new DistributedComparison
                {
                    Ranks = run.Ranks,
                    Method = name,
                    ValMlmLoss = method.FinalValMlmLoss,
                    OneRankValMlmLoss = oneRankLoss,
                    LossRelativeDifference = oneRankLoss is double one ? Math.Abs(method.FinalValMlmLoss - one) / one : null,
                    WallSecondsSpeedupOverOneRank = reference?.Methods.GetValueOrDefault(name) is { } single ? single.WallSeconds / method.WallSeconds : null,
                    Stages = method.Stages.Select(s => new DistributedStageCheck
                    {
                        Name = s.Name,
                        BytesOverTrainableBytes = s.AllreduceBytesPerStep is long bytes ? (double)bytes / s.TrainableParameterBytes : null,
                        BytesRatioToBaseline = s.AllreduceBytesPerStep is long b && baselineBytes > 0 ? (double)b / baselineBytes : null,
                        TrainableFractionOfBaseline = (double)s.TrainableParameterBytes / run.Methods["baseline"].Stages[0].TrainableParameterBytes,
                    }).ToList(),
                });
            }
        }

        return new DistributedSummary { Quick = quick, Runs = runs, Comparisons = comparisons };
    }

    private static void PrintTable(DistributedRun run, DistributedSummary summary)
    {
        var table = new Table().Title($"Data-parallel pre-training over {run.Ranks} rank(s), {run.BatchSizePerRank} rows per rank");
        table.AddColumns("method", "stage", "trainable MB", "all-reduce MB/step", "all-reduce ms/step", "step ms", "val MLM loss");
        foreach (var (name, method) in run.Methods)
        {
            foreach (var stage in method.Stages)
            {
                table.AddRow(
                    name,
                    stage.Name,
                    (stage.TrainableParameterBytes / 1e6).ToString("F2"),
                    stage.AllreduceBytesPerStep is long bytes ? (bytes / 1e6).ToString("F2") : "-",
                    stage.AllreduceMsPerStep?.ToString("F1") ?? "-",
                    stage.StepMs.ToString("F0"),
                    stage.ValMlmLossAtEnd.ToString("F3"));
            }
        }

        AnsiConsole.Write(table);
        foreach (var comparison in summary.Comparisons)
        {
            AnsiConsole.MarkupLine(
                $"{comparison.Ranks} ranks, {comparison.Method}: val MLM loss {comparison.ValMlmLoss:F3} vs 1 rank {comparison.OneRankValMlmLoss?.ToString("F3") ?? "(not run yet)"}" +
                (comparison.LossRelativeDifference is double d ? $" ({d:P2} apart)" : string.Empty));
        }
    }
}

/// <summary>One run of <c>bench distributed</c> (artifacts/bench/distributed-n{ranks}.json).</summary>
internal sealed record DistributedRun
{
    public required bool Quick { get; init; }

    public required int Ranks { get; init; }

    public required int BatchSizePerRank { get; init; }

    public required int JobBatchSize { get; init; }

    public required int TotalSteps { get; init; }

    public required Dictionary<string, DistributedMethodResult> Methods { get; init; }

    /// <summary>/proc/loadavg (1, 5, 15 minutes) before and after the run: the speedups compare separate runs, which other work on the machine would skew.</summary>
    public string LoadAverageBefore { get; init; } = "n/a";

    public string LoadAverageAfter { get; init; } = "n/a";
}

/// <summary>One pre-training method of a run.</summary>
internal sealed record DistributedMethodResult
{
    public required double WallSeconds { get; init; }

    public required long Steps { get; init; }

    public required long Examples { get; init; }

    public required double FinalValMlmLoss { get; init; }

    public required List<DistributedStageResult> Stages { get; init; }
}

/// <summary>One stage's communication and speed.</summary>
internal sealed record DistributedStageResult
{
    public required string Name { get; init; }

    public required int Depth { get; init; }

    public required int TrainableLayers { get; init; }

    public required long TrainableParameterBytes { get; init; }

    /// <summary>Null when the run trained alone (one rank).</summary>
    public required long? AllreduceBytesPerStep { get; init; }

    public required double? AllreduceMsPerStep { get; init; }

    public required double StepMs { get; init; }

    public required double ValMlmLossAtEnd { get; init; }
}

/// <summary>artifacts/bench/distributed.json: every run and the targets' checks.</summary>
internal sealed record DistributedSummary
{
    public required bool Quick { get; init; }

    public required List<DistributedRun> Runs { get; init; }

    public required List<DistributedComparison> Comparisons { get; init; }
}

/// <summary>A multi-rank run's method against the one-rank run's.</summary>
internal sealed record DistributedComparison
{
    public required int Ranks { get; init; }

    public required string Method { get; init; }

    public required double ValMlmLoss { get; init; }

    public required double? OneRankValMlmLoss { get; init; }

    /// <summary>|loss − one-rank loss| / one-rank loss (target: ≤ 1 %).</summary>
    public required double? LossRelativeDifference { get; init; }

    public required double? WallSecondsSpeedupOverOneRank { get; init; }

    public required List<DistributedStageCheck> Stages { get; init; }
}

/// <summary>A stage's bytes against its trainable bytes (target: 1 ± 1 %) and against the baseline's.</summary>
internal sealed record DistributedStageCheck
{
    public required string Name { get; init; }

    public required double? BytesOverTrainableBytes { get; init; }

    public required double? BytesRatioToBaseline { get; init; }

    public required double TrainableFractionOfBaseline { get; init; }
}
