using System.CommandLine;
using Microsoft.ML;
using MLNetExtensions.Estimators.Bert;
using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Samples.Bench;
using MLNetExtensions.Samples.Reporting;
using MLNetExtensions.Transforms.ModelFiles;
using Spectre.Console;

namespace MLNetExtensions.Samples.Commands;

/// <summary><c>pretrain</c>: the shipped corpus → a pre-trained BERT model file, with progress bars and a loss-curve PNG.</summary>
internal static class PretrainCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--output") { Description = "The model file to write.", DefaultValueFactory = _ => Path.Combine("artifacts", "models", "bert.zip") };
        var plan = new Option<string>("--plan") { Description = "baseline (full depth), mslt, progressive-stacking or core (coarse-refined: relaxed BERT, then the original).", DefaultValueFactory = _ => "mslt" };
        plan.AcceptOnlyFromAmong("baseline", "mslt", "progressive-stacking", "core");
        var steps = new Option<int>("--steps") { Description = "Optimiser steps.", DefaultValueFactory = _ => 300 };
        steps.Validators.Add(CommandOptions.AtLeastOne);
        var quick = new Option<bool>("--quick") { Description = "A tiny model on part of the corpus." };
        var command = new Command("pretrain", "Pre-train BERT (masked LM) on the shipped corpus and save the model file.") { output, plan, steps, quick };
        command.SetAction(result => Run(result.GetValue(output)!, result.GetValue(plan)!, result.GetValue(steps), result.GetValue(quick)));
        return command;
    }

    private static int Run(string output, string planName, int steps, bool quick)
    {
        string figure = OutputPaths.FigureBeside(output, "--output");
        OutputPaths.Check(output, "--output");
        var mlContext = new MLContext(seed: 42);
        var setup = MsltBenchmark.Setup(quick) with { TotalSteps = steps, WarmupSteps = Math.Max(1, steps / 10), ValidateEveryNSteps = Math.Max(1, steps / 10) };
        BertPretrainingOptionsBase options = planName switch
        {
            "baseline" => setup.Options(MultiStagePlans.FullDepth(setup.FinalDepth, steps, setup.Schedule)),
            "progressive-stacking" => setup.Options(MultiStagePlans.ProgressiveStacking(setup.FinalDepth / 2, setup.FinalDepth, steps, setup.Schedule)),
            "core" => CoreBenchmark.CoReOptions(setup, stageWise: false),
            _ => setup.Options(MsltBenchmark.MsltPlan(setup)),
        };
        var corpus = SampleData.Corpus(mlContext, setup.MaximumSentences);
        using var method = PretrainedMethod.Run(mlContext, planName, options, corpus);
        if (!Estimators.Training.Distributed.DataParallelEnvironment.IsLeader)
        {
            return 0; // data-parallel: the ranks hold the same model; rank 0 writes it
        }

        mlContext.Model.SaveWithTensors(method.Encoder, corpus.Schema, output);
        LossCurvePlot.Save(figure, $"Validation MLM loss ({planName})", new[] { (planName, method.Report) });
        AnsiConsole.MarkupLine($"Validation MLM loss {method.Report.FinalValidationLoss:F3}, accuracy {method.Report.FinalValidationAccuracy:P1}, {method.Report.TrainingSeconds:F0} s of training.");
        AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(output)}[/] and {Markup.Escape(figure)}");
        return 0;
    }
}
