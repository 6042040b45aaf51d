using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Transforms.Sequences;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Sequences;

/// <summary>
/// Sets a network's memory slots from prior knowledge before training (the paper's initialisation): k-means (k = K)
/// of the encoded inputs of a seeded sample of training steps, or the encodings of prototype steps the user gives.
/// </summary>
internal static class MemoryInitializer
{
    /// <summary>Initialises <paramref name="model"/>'s memory as <paramref name="options"/> asks; random initialisation leaves it as created.</summary>
    /// <exception cref="InvalidOperationException">k-means finds fewer sampled steps than slots.</exception>
    public static void Apply(PersistentMemoryRnn model, PersistentMemoryRnnOptions options, IDataView trainData, int seed)
    {
        if (options.MemoryInitialization == MemoryInitialization.Random)
        {
            return;
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var device = model.Memory!.device;
        var steps = options.MemoryInitialization == MemoryInitialization.Prototypes
            ? options.MemoryPrototypes!.ToArray()
            : SampleSteps(trainData, options, seed);
        if (steps.Length < options.MemorySlots)
        {
            throw new InvalidOperationException(
                $"MemoryInitialization.KMeans needs at least MemorySlots = {options.MemorySlots} training steps, but the column '{options.FeatureColumnName}' holds {steps.Length}.");
        }

        var flat = steps.SelectMany(step => step).ToArray();
        var encoded = model.Encode(tensor(flat, new long[] { steps.Length, options.StepSize }).to(device));
        var slots = options.MemoryInitialization == MemoryInitialization.Prototypes
            ? encoded
            : KMeans(encoded, options.MemorySlots, options.KMeansIterations, new Random(seed));
        model.SetMemory(slots);
    }

    /// <summary>A uniform seeded sample (reservoir) of at most <see cref="PersistentMemoryRnnOptions.KMeansSampleSteps"/> steps of the training sequences.</summary>
    private static float[][] SampleSteps(IDataView data, PersistentMemoryRnnOptions options, int seed)
    {
        int capacity = options.KMeansSampleSteps;
        int stepSize = options.StepSize;
        var random = new Random(seed);
        var sample = new List<float[]>(Math.Min(capacity, 4096)); // a large KMeansSampleSteps must not reserve memory it may never fill
        long seen = 0;
        using var cursor = data.GetRowCursor(new[] { data.Schema[options.FeatureColumnName] });
        var getter = cursor.GetGetter<VBuffer<float>>(data.Schema[options.FeatureColumnName]);
        VBuffer<float> buffer = default;
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            var values = new float[buffer.Length];
            buffer.CopyTo(values);
            SequenceTensors.Check(values, stepSize, options.FeatureColumnName);
            for (int t = 0; t < values.Length / stepSize; t++)
            {
                var step = values.AsSpan(t * stepSize, stepSize).ToArray();
                if (sample.Count < capacity)
                {
                    sample.Add(step);
                }
                else if (random.NextInt64(seen + 1) is var j && j < capacity)
                {
                    sample[(int)j] = step;
                }

                seen++;
            }
        }

        return sample.ToArray();
    }

    /// <summary>k-means of the rows of <paramref name="points"/> [n, m]: k-means++ seeding, then Lloyd iterations; an emptied cluster keeps its centre.</summary>
    internal static Tensor KMeans(Tensor points, int k, int iterations, Random random)
    {
        long n = points.shape[0];
        var chosen = new List<long> { random.NextInt64(n) };
        var nearest = (points - points[chosen[0]]).pow(2).sum(1);
        while (chosen.Count < k)
        {
            // k-means++: the next centre with probability proportional to the squared distance to the nearest chosen one.
            var weights = nearest.cpu().data<float>().ToArray();
            double total = weights.Sum(w => (double)w);
            long next = total > 0 ? Draw(weights, random.NextDouble() * total) : random.NextInt64(n);
            chosen.Add(next);
            nearest = minimum(nearest, (points - points[next]).pow(2).sum(1));
        }

        var centres = points.index_select(0, tensor(chosen.ToArray(), device: points.device)).clone();
        for (int iteration = 0; iteration < iterations; iteration++)
        {
            var assignment = cdist(points, centres).argmin(1);
            var oneHot = nn.functional.one_hot(assignment, k).to(points.dtype);
            var counts = oneHot.sum(dim: 0).unsqueeze(1);
            var sums = matmul(oneHot.t(), points);
            var updated = where(counts > 0, sums / counts.clamp_min(1), centres);
            if (updated.equal(centres).all().item<bool>())
            {
                break;
            }

            centres = updated;
        }

        return centres;
    }

    private static long Draw(float[] weights, double target)
    {
        double cumulative = 0;
        for (long i = 0; i < weights.Length; i++)
        {
            cumulative += weights[i];
            if (cumulative >= target && weights[i] > 0)
            {
                return i;
            }
        }

        return Array.FindLastIndex(weights, w => w > 0);
    }
}
