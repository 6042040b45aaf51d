using Microsoft.ML;
using MLNetExtensions.Transforms.Bert;
using MLNetExtensions.Transforms.ModelFiles;

namespace MLNetExtensions.Samples.Commands;

/// <summary>Loads the pre-trained encoder saved by <c>pretrain</c>.</summary>
internal static class ModelFileInput
{
    public static BertEmbeddingTransformer LoadEncoder(MLContext mlContext, string path)
    {
        var model = mlContext.Model.LoadWithTensors(path, out _);
        return model switch
        {
            BertEmbeddingTransformer encoder => encoder,
            IEnumerable<ITransformer> chain when chain.OfType<BertEmbeddingTransformer>().FirstOrDefault() is { } inner => inner,
            _ => throw new InvalidDataException($"Model file '{path}' holds no pre-trained BERT encoder (it holds {model.GetType().Name}); create one with the pretrain command."),
        };
    }
}
