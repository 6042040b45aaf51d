using System.CommandLine;
using Microsoft.ML;
using Spectre.Console;

namespace MLNetExtensions.Samples.Commands;

/// <summary><c>embed</c>: texts → embeddings with a pre-trained model file, and their cosine similarities.</summary>
internal static class EmbedCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The pre-trained model file.", DefaultValueFactory = _ => Path.Combine("artifacts", "models", "bert.zip") };
        var texts = new Argument<string[]>("texts") { Description = "Texts to embed.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("embed", "Embed texts with a pre-trained model file and print their cosine similarities.") { model, texts };
        command.SetAction(result => Run(result.GetValue(model)!, result.GetValue(texts)!));
        return command;
    }

    private static int Run(string modelPath, string[] texts)
    {
        var mlContext = new MLContext();
        using var encoder = ModelFileInput.LoadEncoder(mlContext, modelPath);
        var vectors = encoder.Embed(texts);
        var table = new Table().Title($"Embeddings ({encoder.Config.HiddenSize} dimensions, {encoder.Settings.Pooling} pooling)");
        table.AddColumn("text");
        table.AddColumn("first values");
        foreach (var text in texts)
        {
            table.AddColumn(new TableColumn(Markup.Escape(text.Length > 12 ? text[..12] + "…" : text)));
        }

        for (int i = 0; i < texts.Length; i++)
        {
            var row = new List<string> { Markup.Escape(texts[i]), string.Join(" ", vectors[i].Take(4).Select(v => v.ToString("F3"))) };
            row.AddRange(vectors.Select(other => Cosine(vectors[i], other).ToString("F3")));
            table.AddRow(row.ToArray());
        }

        AnsiConsole.Write(table);
        return 0;
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }

        return dot / Math.Sqrt(Math.Max(na * nb, 1e-30));
    }
}
