namespace MLNetExtensions.Transforms.Bert.Checkpoints;

/// <summary>Writes a checkpoint as a Hugging Face BERT directory.</summary>
internal static class HuggingFaceCheckpointWriter
{
    public static void Write(BertCheckpoint checkpoint, string directory)
    {
        Directory.CreateDirectory(directory);
        checkpoint.Config.Save(Path.Combine(directory, CheckpointFiles.Config));
        ModelTensorIO.ExportSafetensors(checkpoint.Model, Path.Combine(directory, CheckpointFiles.Weights));
        File.WriteAllText(Path.Combine(directory, CheckpointFiles.Vocabulary), checkpoint.Tokenizer.VocabularyText);
        CheckpointFiles.WriteTokenizerSettings(directory, checkpoint.Tokenizer.LowerCase, checkpoint.Tokenizer.StripAccents);
    }
}
