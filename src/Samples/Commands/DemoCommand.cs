using System.CommandLine;
using Microsoft.ML;
using MLNetExtensions.Samples.Bench;
using MLNetExtensions.Samples.Console;
using MLNetExtensions.Samples.Reporting;
using MLNetExtensions.Transforms.ModelFiles;
using Spectre.Console;

namespace MLNetExtensions.Samples.Commands;

/// <summary>
/// <c>demo</c>, the main job: multi-stage layerwise pre-training (MSLT, 2 → 4 → 6 layers) on the shipped corpus,
/// fine-tuning on the UCI sentiment sentences, a results table, and a PNG of validation loss against training time.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var steps = new Option<int>("--steps") { Description = "Pre-training optimiser steps.", DefaultValueFactory = _ => 1200 };
        steps.Validators.Add(CommandOptions.AtLeastOne);
        var quick = new Option<bool>("--quick") { Description = "A tiny model that finishes in about a minute." };
        var command = new Command("demo", "The main job: MSLT pre-training on the shipped corpus, then sentiment fine-tuning.") { steps, quick };
        command.SetAction(result => Run(result.GetValue(steps), result.GetValue(quick)));
        return command;
    }

    private static int Run(int steps, bool quick)
    {
        string directory = Path.Combine("artifacts", "demo");
        string figure = Path.Combine(directory, "mslt-validation-loss.png");
        string model = Path.Combine(directory, "mslt-bert.zip");
        OutputPaths.Check(figure, "the demo's figure");
        OutputPaths.Check(model, "the demo's model file");
        var mlContext = new MLContext(seed: 42);
        var setup = (quick
            ? MsltBenchmark.Setup(quick: true)
            : new PretrainingSetup { HiddenSize = 128, AttentionHeads = 4, IntermediateSize = 512, SequenceLength = 64, BatchSize = 32, TotalSteps = steps, FinalDepth = 6, ValidateEveryNSteps = 20, PeakLearningRate = 1e-3, WarmupSteps = 24, MaximumSentences = 120_000 })
            with { TotalSteps = steps, WarmupSteps = Math.Max(1, steps / 10), ValidateEveryNSteps = Math.Max(1, steps / 12) };
        var fineTune = MsltBenchmark.FineTuning(quick) with { Epochs = quick ? 1 : 3, LearningRate = 5e-4 };

        AnsiConsole.Write(new Rule("[bold]MSLT pre-training on the shipped corpus[/]"));
        var corpus = SampleData.Corpus(mlContext, setup.MaximumSentences);
        using var mslt = PretrainedMethod.Run(mlContext, "mslt", MsltBenchmark.MsltPlan(setup), setup, corpus);

        AnsiConsole.Write(new Rule("[bold]Fine-tuning on the UCI sentiment sentences[/]"));
        double accuracy = StagedProgressBar.Run("fine-tune", p => SentimentFineTuning.BertAccuracy(mlContext, fineTune, mslt.Encoder, null, StagedProgressBar.ForSingleRun(p, "sentiment")));
        double textBaseline = SentimentFineTuning.MLNetTextBaselineAccuracy(mlContext, fineTune);

        var stages = new Table().Title("Stages");
        stages.AddColumns("stage", "depth", "trainable layers", "steps", "ms / step", "val MLM loss", "val MLM accuracy");
        foreach (var stage in mslt.Report.Stages)
        {
            stages.AddRow(stage.Name, stage.Depth.ToString(), stage.TrainableLayers.ToString(), stage.Steps.ToString(), stage.MillisecondsPerStep.ToString("F0"), stage.ValidationLoss.ToString("F3"), stage.ValidationAccuracy.ToString("P1"));
        }

        AnsiConsole.Write(stages);
        var results = new Table().Title("Sentiment (UCI, 20 % held out)");
        results.AddColumns("model", "test accuracy");
        results.AddRow("BERT pre-trained with MSLT, fine-tuned", accuracy.ToString("P1"));
        results.AddRow("ML.NET FeaturizeText + SdcaLogisticRegression", textBaseline.ToString("P1"));
        AnsiConsole.Write(results);

        LossCurvePlot.Save(figure, "MSLT: validation MLM loss vs training time (dashed: new stage)", new[] { ("mslt", mslt.Report) });
        mlContext.Model.SaveWithTensors(mslt.Encoder, corpus.Schema, model);
        AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(figure)}[/] and the pre-trained model [bold]{Markup.Escape(model)}[/] ({mslt.Report.TrainingSeconds:F0} s of pre-training).");
        return 0;
    }
}
