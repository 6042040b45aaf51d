using System.CommandLine;
using Microsoft.ML;
using MLNetExtensions.Estimators.Bert;
using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Estimators.Sweeps;
using MLNetExtensions.Samples.Bench;
using MLNetExtensions.Transforms.Bert;
using Spectre.Console;

namespace MLNetExtensions.Samples.Commands;

/// <summary><c>sweep NAME</c>: searches MSLT stage settings by real pre-training trials; writes artifacts/sweep/NAME.json.</summary>
internal static class SweepCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The sweep's name (artifacts/sweep/<name>.json)." };
        var strategy = new Option<string>("--strategy") { Description = "halving (successive halving over random candidates), random or grid.", DefaultValueFactory = _ => "halving" };
        strategy.AcceptOnlyFromAmong("halving", "random", "grid");
        var trials = new Option<int>("--trials") { Description = "Candidates (random and halving).", DefaultValueFactory = _ => 9 };
        var steps = new Option<int>("--steps") { Description = "Full-budget optimiser steps of a trial.", DefaultValueFactory = _ => 180 };
        var seed = new Option<int>("--seed") { Description = "Seed of the search and the trials.", DefaultValueFactory = _ => 1 };
        var command = new Command("sweep", "Search multi-stage training settings (start depth, layers per stage, step split, initialisation, final stage, learning rate).")
        {
            name, strategy, trials, steps, seed,
        };
        command.SetAction(result => Run(result.GetValue(name)!, result.GetValue(strategy)!, result.GetValue(trials), result.GetValue(steps), result.GetValue(seed)));
        return command;
    }

    private static int Run(string name, string strategyName, int trials, int steps, int seed)
    {
        var mlContext = new MLContext(seed: seed);
        var setup = MsltBenchmark.Setup(quick: true) with { TotalSteps = steps, WarmupSteps = Math.Max(1, steps / 10), Seed = seed };
        var options = setup.Options(TrainingPlan.FullDepth(setup.FinalDepth, steps));
        var space = new PlanSearchSpace(new MultiStagePlanSettings { TargetDepth = setup.FinalDepth, TotalSteps = steps, Schedule = setup.Schedule })
        {
            StartDepth = SearchDimension.Choice(1, 2, 3),
            LayersPerStage = SearchDimension.Choice(1, 2, 3),
            StepAllocation = SearchDimension.Choice(StepAllocation.Equal, StepAllocation.ProportionalToDepth),
            NewLayers = SearchDimension.Choice(LayerInitialization.CopyTopLayers, LayerInitialization.Random),
            FinalStageFraction = SearchDimension.Choice(0.0, 0.1),
            PeakLearningRate = SearchDimension.LogUniform(3e-4, 3e-3),
        };
        ISearchStrategy strategy = strategyName switch
        {
            "grid" => new GridSearch(pointsPerRange: 2),
            "random" => new RandomSearch(trials, seed),
            _ => new SuccessiveHalving(new RandomSearch(trials, seed), eta: 3),
        };

        AnsiConsole.MarkupLine($"Packing the corpus and running a {strategyName} sweep of {trials} candidates, {steps} steps at full budget…");
        var runner = new BertPretrainingTrialRunner(mlContext, SampleData.Corpus(mlContext, setup.MaximumSentences), options);
        var result = strategy.Run(name, space, runner);
        string path = SweepResult.DefaultPath(name);
        result.WriteJson(path);

        var table = result.ToTable();
        var display = new Table().Title($"Sweep '{name}' ({result.TotalStepsRun} steps run; {result.StepsIfAllRanInFull} if all ran in full)");
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
