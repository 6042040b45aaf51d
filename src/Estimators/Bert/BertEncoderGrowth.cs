using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Transforms;
using MLNetExtensions.Transforms.Bert;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Bert;

/// <summary>Staged growth of a BERT encoder: new layers on top, copied from the top layers or freshly initialised.</summary>
public static class BertEncoderGrowth
{
    /// <summary>
    /// Appends <paramref name="count"/> new layers on top of the stack and updates the encoder's <c>Config</c>.
    /// The new layers are placed on the device and dtype of the existing ones, take the encoder's
    /// train/eval mode, and their parameters require gradients (whatever the source layers' flags).
    /// </summary>
    /// <param name="encoder">The encoder to grow.</param>
    /// <param name="count">Number of layers to add (at least 1; at most the current count for <see cref="LayerInitialization.CopyTopLayers"/>).</param>
    /// <param name="initialization">
    /// <see cref="LayerInitialization.CopyTopLayers"/>: the new layers are exact copies of the current top
    /// <paramref name="count"/> layers, in the same order (layer <c>n + j</c> copies layer <c>n − count + j</c>);
    /// <see cref="LayerInitialization.Random"/>: fresh Hugging Face initialisation from <paramref name="generator"/>.
    /// </param>
    /// <param name="generator">Generator for <see cref="LayerInitialization.Random"/>; null uses the global one. Ignored when copying.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is out of range.</exception>
    public static void AppendLayers(this BertEncoder encoder, int count, LayerInitialization initialization, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        var existing = encoder.Count;
        if (count < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "count must be at least 1.");
        }

        if (!TrainingStage.CanAddLayers(initialization, existing, count))
        {
            throw new ArgumentOutOfRangeException(nameof(count), count,
                $"CopyTopLayers can copy at most the {existing} existing layers, but count was {count}.");
        }

        if (!Enum.IsDefined(initialization))
        {
            throw new ArgumentOutOfRangeException(nameof(initialization), initialization, "Unknown LayerInitialization.");
        }

        var layers = encoder.Layers;
        var reference = layers[0].parameters().First();
        var copy = initialization == LayerInitialization.CopyTopLayers;
        for (var j = 0; j < count; j++)
        {
            var added = new BertLayer(encoder.Config, copy ? null : generator, initialize: !copy);
            if (reference.device_type != DeviceType.CPU || reference.dtype != ScalarType.Float32)
            {
                added.to(reference.device, reference.dtype);
            }

            if (copy)
            {
                ModelTensorIO.CopyTensors(layers[existing - count + j], added);
            }

            added.train(encoder.training);
            encoder.AddLayerOnTop(added);
        }
    }
}
