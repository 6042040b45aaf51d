using System.Globalization;

namespace MLNetExtensions.Transforms.Sequences;

/// <summary>The architecture of a <see cref="PersistentMemoryRnn"/> (saved in model files).</summary>
public sealed record PersistentMemoryRnnConfig
{
    /// <summary>Features per time step (D): a sequence of n values has n / D steps.</summary>
    public required int StepSize { get; init; }

    /// <summary>Width of the hidden state (and of the LSTM cell state).</summary>
    public required int HiddenSize { get; init; }

    /// <summary>Outputs of the head: the number of classes, or 1 for regression.</summary>
    public required int Outputs { get; init; }

    /// <summary>The cell: persistent memory (default), its mixture version, or a plain LSTM or GRU.</summary>
    public RnnCellKind CellKind { get; init; } = RnnCellKind.PersistentMemory;

    /// <summary>K, the number of memory slots (persistent-memory cells only).</summary>
    public int MemorySlots { get; init; } = 8;

    /// <summary>m, the width of a memory slot and of the encoded input e_t.</summary>
    public int MemoryWidth { get; init; } = 32;

    /// <summary>Whether the encoder reads h_{t−1} besides x_t: e_t = tanh(W_e [x_t; h_{t−1}] + b_e). Off: e_t = tanh(W_e x_t + b_e).</summary>
    public bool EncoderReadsHiddenState { get; init; }

    /// <summary>
    /// γ, the sharpness of the addressing softmax over cosine similarities (its starting value when learned): a finite
    /// number &gt; 0 that float32 holds (the options ask for [<see cref="MinSharpness"/>, <see cref="MaxSharpness"/>];
    /// a model file keeps loading with any value the model can represent).
    /// </summary>
    public double Sharpness { get; init; } = 10;

    /// <summary>
    /// The smallest <see cref="Sharpness"/>, 1e-6: cosines lie in [−1, 1], so the slots' logits γ · cos then differ by
    /// at most 2e-6: the addressing is uniform, and the gradient it passes to the memory and the encoder, which scales with
    /// γ, is negligible.
    /// </summary>
    public const double MinSharpness = 1e-6;

    /// <summary>
    /// The largest <see cref="Sharpness"/>, 1e6: the addressing is then already a hard choice between any two slots whose
    /// cosines differ by 1e-4; beyond it, γ · cos and its gradients leave float32's useful range (above 3.4e38,
    /// exp(log γ) overflows and the loss is NaN).
    /// </summary>
    public const double MaxSharpness = 1e6;

    /// <summary>Whether γ is learned (as log γ) or fixed.</summary>
    public bool LearnSharpness { get; init; } = true;

    /// <summary>Whether the cell has a memory (and so addressing weights).</summary>
    public bool HasMemory => CellKind is RnnCellKind.PersistentMemory or RnnCellKind.PersistentMemoryMixture;

    /// <summary>Throws an exception naming the first setting out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        Positive(StepSize, nameof(StepSize));
        Positive(HiddenSize, nameof(HiddenSize));
        Positive(Outputs, nameof(Outputs));
        if (!Enum.IsDefined(CellKind))
        {
            throw new ArgumentOutOfRangeException(nameof(CellKind), CellKind, $"{nameof(CellKind)} must be one of {string.Join(", ", Enum.GetNames<RnnCellKind>())}.");
        }

        if (HasMemory)
        {
            Positive(MemorySlots, nameof(MemorySlots));
            Positive(MemoryWidth, nameof(MemoryWidth));
            // Above float32's largest value, exp(log γ) overflows and every output is NaN.
            if (!(Sharpness > 0 && Sharpness <= float.MaxValue))
            {
                throw new ArgumentOutOfRangeException(nameof(Sharpness), Sharpness, $"{nameof(Sharpness)} (γ) must be a number > 0 that float32 holds (≤ {float.MaxValue.ToString(CultureInfo.InvariantCulture)}), but was {Sharpness.ToString(CultureInfo.InvariantCulture)}.");
            }
        }
    }

    /// <summary>Whether <paramref name="sharpness"/> is in [<see cref="MinSharpness"/>, <see cref="MaxSharpness"/>] (NaN is not).</summary>
    internal static bool IsSharpnessInRange(double sharpness) => sharpness is >= MinSharpness and <= MaxSharpness;

    /// <summary>The rule of <see cref="Sharpness"/>, for messages.</summary>
    internal static string SharpnessRange => string.Create(CultureInfo.InvariantCulture, $"must be in [{MinSharpness:0E+0}, {MaxSharpness:0E+0}]");

    private static void Positive(int value, string name)
    {
        if (value < 1)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1, but was {value}.");
        }
    }
}
