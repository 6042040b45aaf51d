using System.CommandLine;
using Microsoft.ML;
using MLNetExtensions.Estimators.Bert;
using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Estimators.Sweeps;
using MLNetExtensions.Samples.Bench;
using MLNetExtensions.Transforms.Bert;
using Spectre.Console;

namespace MLNetExtensions.Samples.Commands;

/// <summary>
/// <c>sweep NAME</c>: searches MSLT stage settings (<c>--method mslt</c>) or coarse-refined training settings
/// (<c>--method core</c>: feed-forward rank, attention kind, phase split, learning rates) by real pre-training trials
/// of the small model on the shipped corpus; writes artifacts/sweep/NAME.json.
/// </summary>
internal static class SweepCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The sweep's name (artifacts/sweep/<name>.json)." };
        var method = new Option<string>("--method") { Description = "mslt (stage settings) or core (relaxed model and phase settings).", DefaultValueFactory = _ => "mslt" };
        method.AcceptOnlyFromAmong("mslt", "core");
        var strategy = new Option<string>("--strategy") { Description = "halving (successive halving over random candidates), random or grid.", DefaultValueFactory = _ => "halving" };
        strategy.AcceptOnlyFromAmong("halving", "random", "grid");
        var trials = new Option<int>("--trials") { Description = "Candidates (random and halving).", DefaultValueFactory = _ => 9 };
        trials.Validators.Add(CommandOptions.AtLeastOne);
        var steps = new Option<int>("--steps") { Description = "Full-budget optimiser steps of a trial.", DefaultValueFactory = _ => 180 };
        steps.Validators.Add(CommandOptions.AtLeastOne);
        var seed = new Option<int>("--seed") { Description = "Seed of the search and the trials.", DefaultValueFactory = _ => 1 };
        var command = new Command("sweep", "Search multi-stage (MSLT) or coarse-refined (CoRe) training settings by real pre-training trials.")
        {
            name, method, strategy, trials, steps, seed,
        };
        command.SetAction(result =>
        {
            var request = new SweepRequest(result.GetValue(name)!, result.GetValue(strategy)!, result.GetValue(trials), result.GetValue(steps), result.GetValue(seed));
            return result.GetValue(method) == "core" ? Run(request, CoReSpace(request)) : Run(request, MsltSpace(request));
        });
        return command;
    }

    private sealed record SweepRequest(string Name, string Strategy, int Trials, int Steps, int Seed)
    {
        public PretrainingSetup Setup => MsltBenchmark.Setup(quick: true) with { TotalSteps = Steps, WarmupSteps = Math.Max(1, Steps / 10), Seed = Seed };
    }

    private static MsltSearchSpace MsltSpace(SweepRequest request)
    {
        var setup = request.Setup;
        return new MsltSearchSpace(new MultiStagePlanSettings { TargetDepth = setup.FinalDepth, TotalSteps = request.Steps, Schedule = setup.Schedule })
        {
            StartDepth = SearchDimension.Choice(1, 2, 3),
            LayersPerStage = SearchDimension.Choice(1, 2, 3),
            StepAllocation = SearchDimension.Choice(StepAllocation.Equal, StepAllocation.ProportionalToDepth),
            NewLayers = SearchDimension.Choice(LayerInitialization.CopyTopLayers, LayerInitialization.Random),
            FinalStageFraction = SearchDimension.Choice(0.0, 0.1),
            PeakLearningRate = SearchDimension.LogUniform(3e-4, 3e-3),
        };
    }

    /// <summary>CoRe around <c>bench core</c>'s settings, scaled to the sweep's steps; full-phase warm-up short enough for every split.</summary>
    private static CoReSearchSpace CoReSpace(SweepRequest request)
    {
        var settings = CoreBenchmark.CoReOptions(request.Setup, stageWise: false).CoRe;
        settings.FullSchedule.WarmupSteps = Math.Max(1, request.Steps / 20);
        return new CoReSearchSpace(settings)
        {
            FeedForwardRank = SearchDimension.Choice(8, 16, 32),
            Attention = SearchDimension.Choice(FastAttentionKind.Linear, FastAttentionKind.LowRankProjection),
            RelaxedShare = SearchDimension.Choice(0.5, 0.7, 0.9),
            RelaxedPeakLearningRate = SearchDimension.LogUniform(5e-4, 3e-3),
        };
    }

    private static int Run<TSettings>(SweepRequest request, SearchSpace<TSettings> space)
        where TSettings : class, ISweepSettings<TSettings>
    {
        var mlContext = new MLContext(seed: request.Seed);
        var setup = request.Setup;
        ISearchStrategy strategy = request.Strategy switch
        {
            "grid" => new GridSearch(pointsPerRange: 2),
            "random" => new RandomSearch(request.Trials, request.Seed),
            _ => new SuccessiveHalving(new RandomSearch(request.Trials, request.Seed), eta: 3),
        };

        // The result's path is checked before the trials run, so that a bad name costs a message rather than the sweep.
        string path = SweepResult.DefaultPath(request.Name);
        OutputPaths.Check(path, "name");
        AnsiConsole.MarkupLine($"Packing the corpus and running a {request.Strategy} sweep of {request.Trials} candidates, {request.Steps} steps at full budget…");
        var options = setup.Options(TrainingPlan.FullDepth(setup.FinalDepth, request.Steps));
        var runner = new BertPretrainingTrialRunner(mlContext, SampleData.Corpus(mlContext, setup.MaximumSentences), options);
        var result = strategy.Run(request.Name, space, runner);
        result.WriteJson(path);

        var table = result.ToTable();
        var display = new Table().Title($"Sweep '{request.Name}' ({result.TotalStepsRun} steps run; {result.StepsIfAllRanInFull} if all ran in full)");
        display.AddColumns(table.Columns.Select(c => new TableColumn(c)).ToArray());
        foreach (var row in table.Rows)
        {
            display.AddRow(row.Select(Markup.Escape).ToArray());
        }

        AnsiConsole.Write(display);
        AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(path)}[/]");
        return 0;
    }
}
