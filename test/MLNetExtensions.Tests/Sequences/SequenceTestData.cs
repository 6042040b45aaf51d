using Microsoft.ML;
using MLNetExtensions.Estimators.Data;

namespace MLNetExtensions.Tests.Sequences;

/// <summary>A sequence row with a regression target.</summary>
public sealed class SequenceValueRow
{
    public float Label { get; set; }

    public float[] Features { get; set; } = Array.Empty<float>();
}

/// <summary>Tiny synthetic sequences: 2 features per step, 4–9 steps; classes rise, fall or oscillate.</summary>
internal static class SequenceTestData
{
    public const int StepSize = 2;

    public static IReadOnlyList<SequenceRow> Classes(int count, int seed)
    {
        var random = new Random(seed);
        var names = new[] { "rise", "fall", "wave" };
        return Enumerable.Range(0, count).Select(i =>
        {
            int kind = i % 3;
            int steps = random.Next(4, 10);
            var values = new float[steps * StepSize];
            for (int t = 0; t < steps; t++)
            {
                float level = kind switch { 0 => t / 4f, 1 => -t / 4f, _ => (float)Math.Sin(t * 2.0) };
                values[t * StepSize] = level + (float)(random.NextDouble() - 0.5) * 0.2f;
                values[(t * StepSize) + 1] = (float)(random.NextDouble() - 0.5);
            }

            return new SequenceRow { Label = names[kind], Features = values };
        }).ToList();
    }

    /// <summary>Target: the mean of the first feature over the steps.</summary>
    public static IReadOnlyList<SequenceValueRow> Values(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            int steps = random.Next(3, 8);
            var values = Enumerable.Range(0, steps * StepSize).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            float mean = Enumerable.Range(0, steps).Average(t => values[t * StepSize]);
            return new SequenceValueRow { Label = mean, Features = values };
        }).ToList();
    }

    /// <summary>The classification rows with the label mapped to a key.</summary>
    public static IDataView KeyedClasses(MLContext mlContext, int count, int seed)
    {
        var data = mlContext.Data.LoadFromEnumerable(Classes(count, seed));
        return mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
    }
}
