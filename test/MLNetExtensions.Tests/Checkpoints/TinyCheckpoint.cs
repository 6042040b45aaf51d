using MLNetExtensions.Tests.FineTuning;
using MLNetExtensions.Transforms;
using MLNetExtensions.Transforms.Bert;
using static TorchSharp.torch;

namespace MLNetExtensions.Tests.Checkpoints;

/// <summary>
/// Writes small Hugging Face BERT directories from a seeded random <see cref="BertModel"/> (the fine-tuning tests'
/// vocabulary and configuration, two layers): as a task model would save them (<c>bert.</c> prefix, masked-LM head
/// tensors) or as a bare <c>BertModel</c>, with or without the pooler.
/// </summary>
internal static class TinyCheckpoint
{
    /// <summary>Two layers, hidden 32, 4 heads, 24 positions, the fine-tuning vocabulary.</summary>
    public static BertConfig Config => FineTuningTestData.Config(layers: 2);

    /// <summary>The seeded source model (with pooler); dispose it.</summary>
    public static BertModel Model(int seed)
    {
        using var generator = new Generator((ulong)seed);
        var model = new BertModel(Config, generator);
        model.eval();
        return model;
    }

    /// <summary>Writes the directory and returns it.</summary>
    public static string Write(string directory, BertModel model, bool bertPrefix = true, bool withPooler = true, bool withMlmHead = true, string? tokenizerConfig = null)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "config.json"), model.Config.ToJson());
        File.WriteAllLines(Path.Combine(directory, "vocab.txt"), FineTuningTestData.Vocabulary);
        if (tokenizerConfig is not null)
        {
            File.WriteAllText(Path.Combine(directory, "tokenizer_config.json"), tokenizerConfig);
        }

        using var scope = NewDisposeScope();
        var tensors = ModelTensorIO.GetNamedTensors(model)
            .Where(t => withPooler || !t.Name.StartsWith("pooler.", StringComparison.Ordinal))
            .Select(t => ((bertPrefix ? "bert." : string.Empty) + t.Name, t.Tensor))
            .ToList();
        if (withMlmHead)
        {
            int hidden = model.Config.HiddenSize;
            tensors.Add(("cls.predictions.bias", zeros(model.Config.VocabSize)));
            tensors.Add(("cls.predictions.transform.dense.weight", ones(hidden, hidden)));
            tensors.Add(("cls.seq_relationship.weight", ones(2, hidden)));
        }

        using var stream = File.Create(Path.Combine(directory, "model.safetensors"));
        SafetensorsWriter.Write(stream, tensors, new Dictionary<string, string> { ["format"] = "pt" });
        return directory;
    }
}
