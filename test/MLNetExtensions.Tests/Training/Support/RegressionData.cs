using Microsoft.ML;

namespace MLNetExtensions.Tests.Training.Support;

/// <summary>Synthetic, learnable regression data: y = w·x + 0.5 + small noise.</summary>
public static class RegressionData
{
    /// <summary>Inputs per row.</summary>
    public const int FeatureCount = 4;

    private static readonly float[] Weights = [1.5f, -2f, 0.75f, 3f];

    /// <summary>Creates <paramref name="count"/> rows from <paramref name="seed"/>; <paramref name="labelSign"/> −1 gives an adversarial target.</summary>
    public static List<RegressionRow> Rows(int count, int seed = 1, float labelSign = 1f)
    {
        var random = new Random(seed);
        var rows = new List<RegressionRow>(count);
        for (int i = 0; i < count; i++)
        {
            var x = new float[FeatureCount];
            float y = 0.5f;
            for (int j = 0; j < FeatureCount; j++)
            {
                x[j] = (float)(random.NextDouble() * 2 - 1);
                y += Weights[j] * x[j];
            }

            y += (float)(random.NextDouble() - 0.5) * 0.02f;
            rows.Add(new RegressionRow { Id = i, Features = x, Label = labelSign * y });
        }

        return rows;
    }

    /// <summary>The rows as a streaming data view (it cannot shuffle itself, so the engine uses ShuffleRows).</summary>
    public static IDataView View(MLContext mlContext, int count, int seed = 1, float labelSign = 1f) =>
        mlContext.Data.LoadFromEnumerable(Rows(count, seed, labelSign));
}
