using Microsoft.ML;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Transforms.DataView;
using MLNetExtensions.Transforms.Classification;
using MLNetExtensions.Transforms.Text;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.FineTuning;

/// <summary>
/// Reads text (or pairs) and labels row by row, encoding each row's WordPiece ids as it is appended (managed
/// buffers only), and builds the batch's tensors on the model's device — the encoding inference uses too.
/// </summary>
internal sealed class BertClassificationBatchBuilder : IBatchBuilder<BertClassificationBatch>
{
    private readonly TextPairGetter _texts;
    private readonly Func<int> _label;
    private readonly string _labelColumn;
    private readonly BertSequenceBuffer _sequences;
    private readonly List<long> _labels = new();
    private readonly Device _device;

    public BertClassificationBatchBuilder(DataViewRow row, BertClassificationObjective.Columns columns, WordPieceEncoder encoder, int maximumLength, Device device)
    {
        _texts = new TextPairGetter(row, columns.Text, columns.SecondText);
        _label = columns.Label.CreateReader(row);
        _labelColumn = columns.Label.ColumnName;
        _sequences = new BertSequenceBuffer(encoder, maximumLength);
        _device = device;
    }

    public int Count => _sequences.Count;

    public void Append()
    {
        int label = _label();
        if (label < 0)
        {
            throw new InvalidOperationException($"A row has a missing label in column '{_labelColumn}'; rows with missing labels must be filtered out before training.");
        }

        var (first, second) = _texts.Read();
        _sequences.Add(first, second);
        _labels.Add(label);
    }

    public BertClassificationBatch Build()
    {
        var (ids, mask, types) = _sequences.ToTensors(_device);
        var labels = tensor(_labels.ToArray()).to(_device);
        _sequences.Clear();
        _labels.Clear();
        return new BertClassificationBatch(ids, mask, types, labels);
    }
}
