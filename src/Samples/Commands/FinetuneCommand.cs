using System.CommandLine;
using Microsoft.ML;
using MLNetExtensions.Estimators.FineTuning;
using MLNetExtensions.Samples.Console;
using MLNetExtensions.Transforms.ModelFiles;
using Spectre.Console;

namespace MLNetExtensions.Samples.Commands;

/// <summary><c>finetune</c>: a pre-trained model file → a sentiment classifier on the UCI sentences, evaluated on the held-out 20 %.</summary>
internal static class FinetuneCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The pre-trained model file.", DefaultValueFactory = _ => Path.Combine("artifacts", "models", "bert.zip") };
        var output = new Option<string>("--output") { Description = "The classifier model file to write.", DefaultValueFactory = _ => Path.Combine("artifacts", "models", "sentiment.zip") };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training sentences.", DefaultValueFactory = _ => 3 };
        epochs.Validators.Add(CommandOptions.AtLeastOne);
        var command = new Command("finetune", "Fine-tune a pre-trained BERT on the UCI sentiment sentences; report accuracy and save the classifier.") { model, output, epochs };
        command.SetAction(result => Run(result.GetValue(model)!, result.GetValue(output)!, result.GetValue(epochs)));
        return command;
    }

    private static int Run(string modelPath, string output, int epochs)
    {
        OutputPaths.Check(output, "--output");
        var mlContext = new MLContext(seed: 7);
        using var encoder = ModelFileInput.LoadEncoder(mlContext, modelPath);
        var split = SampleData.Sentiment(mlContext, 2015);
        var options = new BertClassificationOptions { PretrainedEncoder = encoder, Epochs = epochs, LearningRate = 1e-4, MaximumLength = 48, EarlyStoppingPatience = null };
        var classifier = StagedProgressBar.Run("fine-tune", p =>
        {
            options.Progress = StagedProgressBar.ForSingleRun(p, "sentiment");
            return mlContext.BinaryClassification.Trainers.BertClassifier(options).Fit(split.TrainSet);
        });
        using (classifier)
        {
            var metrics = mlContext.BinaryClassification.Evaluate(classifier.Transform(split.TestSet));
            AnsiConsole.MarkupLine($"Test accuracy {metrics.Accuracy:P1}, AUC {metrics.AreaUnderRocCurve:F3}, F1 {metrics.F1Score:F3}");
            mlContext.Model.SaveWithTensors(classifier, split.TrainSet.Schema, output);
            AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(output)}[/]");
        }

        return 0;
    }
}
