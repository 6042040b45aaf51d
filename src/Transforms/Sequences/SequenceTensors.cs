using System.Globalization;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Sequences;

/// <summary>
/// Float-vector rows as padded sequence tensors: a row of n values is a sequence of n / D steps of D features
/// (time-major: step t holds values [t·D, (t+1)·D)). Training batches and inference batches are built here, so a model
/// sees the same input in both, and bad rows are rejected the same way.
/// </summary>
internal static class SequenceTensors
{
    /// <summary>Checks one row: a non-empty whole number of steps of finite values.</summary>
    /// <exception cref="InvalidOperationException">The row is empty, its length is not a multiple of <paramref name="stepSize"/>, or it holds NaN or ±∞; the message names <paramref name="column"/>.</exception>
    public static void Check(ReadOnlySpan<float> values, int stepSize, string column)
    {
        if (values.Length == 0)
        {
            throw new InvalidOperationException($"Column '{column}' holds an empty sequence; every sequence needs at least one step of {stepSize} values (StepSize).");
        }

        if (values.Length % stepSize != 0)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Column '{column}' holds a vector of {values.Length} values, which is not a whole number of steps of StepSize = {stepSize} values."));
        }

        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"Column '{column}' holds {values[i]} at step {i / stepSize}, feature {i % stepSize}; sequences must hold finite numbers (replace missing values before training or scoring)."));
            }
        }
    }

    /// <summary>
    /// Pads <paramref name="rows"/> (each already <see cref="Check"/>ed) into x [rows + extra, steps, D] (zeros after each
    /// end) and lengths [rows + extra]; <paramref name="extraRows"/> filler sequences of one zero step are appended.
    /// </summary>
    public static (Tensor X, Tensor Lengths) Pad(IReadOnlyList<float[]> rows, int stepSize, Device device, int extraRows = 0)
    {
        int count = rows.Count + extraRows;
        int steps = 1;
        foreach (var row in rows)
        {
            steps = Math.Max(steps, row.Length / stepSize);
        }

        var values = new float[(long)count * steps * stepSize];
        var lengths = new long[count];
        for (int i = 0; i < count; i++)
        {
            if (i < rows.Count)
            {
                rows[i].CopyTo(values, (long)i * steps * stepSize);
                lengths[i] = rows[i].Length / stepSize;
            }
            else
            {
                lengths[i] = 1;
            }
        }

        return (tensor(values, new long[] { count, steps, stepSize }).to(device), tensor(lengths).to(device));
    }
}
