using MLNetExtensions.Transforms.Text;

namespace MLNetExtensions.Transforms.Bert.Checkpoints;

/// <summary>
/// A pre-trained BERT imported from the files people have: a Hugging Face directory (<c>config.json</c>,
/// <c>model.safetensors</c>, <c>vocab.txt</c>, optionally <c>tokenizer_config.json</c>) or a BERT-family ONNX
/// export (weights recovered from the graph, configuration inferred from it). Holds the encoder as the project's
/// <see cref="BertModel"/> (with the pooler when the checkpoint has one), the tokenizer with the checkpoint's own
/// lower-casing and accent settings, and the names of the checkpoint tensors that were not used.
/// </summary>
/// <remarks>
/// Every problem is an <see cref="InvalidDataException"/> (or <see cref="FileNotFoundException"/>) naming the file and the
/// tensor or key: missing files, shapes that disagree with the configuration, a graph that is not BERT-shaped, a
/// truncated file, a vocabulary whose size differs from the word-embedding rows. <see cref="SaveHuggingFace"/> writes
/// the checkpoint back as a Hugging Face directory that <see cref="Load(string)"/> reads to identical tensors.
/// </remarks>
public sealed class BertCheckpoint : IDisposable
{
    internal BertCheckpoint(BertModel model, WordPieceEncoder tokenizer, string source, IReadOnlyList<string> unusedTensors, IReadOnlyList<string> missingTensors)
    {
        Model = model;
        Tokenizer = tokenizer;
        Source = source;
        UnusedTensors = unusedTensors;
        MissingTensors = missingTensors;
    }

    /// <summary>The encoder's configuration (read from <c>config.json</c>, or inferred from the ONNX graph).</summary>
    public BertConfig Config => Model.Config;

    /// <summary>The encoder with the checkpoint's weights (in evaluation mode).</summary>
    public BertModel Model { get; }

    /// <summary>The WordPiece tokenizer with the checkpoint's vocabulary and normalisation settings.</summary>
    public WordPieceEncoder Tokenizer { get; }

    /// <summary>Where the checkpoint was read from (a directory, a file, or a stream's description).</summary>
    public string Source { get; }

    /// <summary>Checkpoint tensors the encoder has no place for (masked-LM and next-sentence heads, <c>position_ids</c>, unnamed graph constants), by name.</summary>
    public IReadOnlyList<string> UnusedTensors { get; }

    /// <summary>Optional encoder tensors the checkpoint does not have (the pooler's, when it has none), by name; they are not part of <see cref="Model"/>.</summary>
    public IReadOnlyList<string> MissingTensors { get; }

    /// <summary>
    /// Imports a checkpoint: a Hugging Face directory, or an <c>.onnx</c> file with <c>vocab.txt</c> (and optionally
    /// <c>tokenizer_config.json</c>) in the same directory.
    /// </summary>
    /// <param name="path">The directory or the ONNX file.</param>
    /// <returns>The checkpoint; dispose it to free the tensors.</returns>
    /// <exception cref="FileNotFoundException">The path, the configuration, the weights or the vocabulary do not exist.</exception>
    /// <exception cref="InvalidDataException">A file is truncated or malformed, or the tensors disagree with the configuration or the vocabulary.</exception>
    public static BertCheckpoint Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            return HuggingFaceCheckpointReader.Read(path);
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The BERT checkpoint '{path}' is neither a directory (Hugging Face) nor a file (ONNX).", path);
        }

        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string vocabularyPath = Path.Combine(directory, CheckpointFiles.Vocabulary);
        if (!File.Exists(vocabularyPath))
        {
            throw new FileNotFoundException(
                $"The ONNX checkpoint '{path}' needs its WordPiece vocabulary '{CheckpointFiles.Vocabulary}' in the same directory ('{vocabularyPath}' does not exist).",
                vocabularyPath);
        }

        var (lowerCase, stripAccents) = CheckpointFiles.ReadTokenizerSettings(directory);
        using var stream = File.OpenRead(path);
        string vocabularyDescription = $"WordPiece vocabulary '{vocabularyPath}'";
        string vocabularyText = WordPieceVocabulary.Decode(File.ReadAllBytes(vocabularyPath), vocabularyDescription); // strict UTF-8
        return OnnxBertReader.Read(stream, $"ONNX file '{path}'", vocabularyText, vocabularyDescription, lowerCase, stripAccents);
    }

    /// <summary>Imports a BERT-family ONNX export from a stream (for example an embedded resource) with its vocabulary.</summary>
    /// <param name="onnxModel">The ONNX model; read to its end and left open.</param>
    /// <param name="vocabularyText">The WordPiece vocabulary, one token per line.</param>
    /// <param name="lowerCase">Whether the tokenizer lower-cases (Hugging Face's <c>do_lower_case</c>).</param>
    /// <param name="stripAccents">Whether the tokenizer strips accents; null follows <paramref name="lowerCase"/>, as Hugging Face's <c>BertTokenizer</c> does.</param>
    /// <returns>The checkpoint; dispose it to free the tensors.</returns>
    /// <exception cref="InvalidDataException">The stream is not a BERT-shaped ONNX model, or the vocabulary size disagrees with the embeddings.</exception>
    public static BertCheckpoint LoadOnnx(Stream onnxModel, string vocabularyText, bool lowerCase = true, bool? stripAccents = null)
    {
        ArgumentNullException.ThrowIfNull(onnxModel);
        ArgumentNullException.ThrowIfNull(vocabularyText);
        return OnnxBertReader.Read(onnxModel, "ONNX stream", vocabularyText, "vocabulary text", lowerCase, stripAccents ?? lowerCase);
    }

    /// <summary>
    /// Writes the checkpoint as a Hugging Face directory: <c>config.json</c>, <c>model.safetensors</c> (Hugging Face
    /// <c>BertModel</c> names, pooler included when present), <c>vocab.txt</c> and <c>tokenizer_config.json</c>.
    /// </summary>
    /// <param name="directory">The directory (created if needed; the four files are overwritten).</param>
    public void SaveHuggingFace(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        HuggingFaceCheckpointWriter.Write(this, directory);
    }

    /// <summary>Frees the encoder's tensors.</summary>
    public void Dispose() => Model.Dispose();
}
