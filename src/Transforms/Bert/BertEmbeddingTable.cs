using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Bert;

/// <summary>
/// A lookup table of embedding vectors with a single parameter named <c>weight</c> of shape
/// [rows, hidden], like <c>torch.nn.Embedding</c>. A managed module (rather than TorchSharp's native
/// <c>Embedding</c>) so that its weight is one stable <see cref="Parameter"/> object that the masked
/// language model decoder can share (weight tying).
/// </summary>
public sealed class BertEmbeddingTable : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "weight")]
    private Parameter weightParameter;

    /// <summary>Creates a table; rows drawn from normal(0, <paramref name="std"/>), the <paramref name="zeroRow"/> row (if any) set to zeros.</summary>
    /// <param name="rows">Number of rows (vocabulary, positions or token types).</param>
    /// <param name="hidden">Width of each row.</param>
    /// <param name="std">Standard deviation of the initialisation.</param>
    /// <param name="zeroRow">Row set to zeros after the draw (the padding token), or null.</param>
    /// <param name="generator">Generator of the draw; null uses the global one.</param>
    /// <param name="initialize">False leaves the values uninitialised (they are about to be overwritten).</param>
    internal BertEmbeddingTable(long rows, long hidden, double std, long? zeroRow, Generator? generator, bool initialize)
        : base(nameof(BertEmbeddingTable))
    {
        weightParameter = BertInitializer.NewParameter(rows, hidden);
        if (initialize)
        {
            BertInitializer.Normal(weightParameter, std, generator);
            if (zeroRow is long row)
            {
                using (no_grad())
                {
                    weightParameter[row].zero_();
                }
            }
        }

        RegisterComponents();
    }

    /// <summary>The table, shape [rows, hidden].</summary>
    public Parameter Weight => weightParameter;

    /// <summary>Looks up rows: ids of any shape [*] give embeddings of shape [*, hidden].</summary>
    /// <param name="ids">Integer (int64) row indices.</param>
    /// <returns>The embeddings.</returns>
    public override Tensor forward(Tensor ids)
    {
        var flat = weightParameter.index_select(0, ids.reshape(-1));
        var shape = ids.shape.Append(weightParameter.shape[1]).ToArray();
        return flat.reshape(shape);
    }
}
