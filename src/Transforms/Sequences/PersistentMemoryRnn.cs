using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Sequences;

/// <summary>What a <see cref="PersistentMemoryRnn"/> computes for a batch of sequences.</summary>
/// <param name="Outputs">[rows, outputs]: the head applied to each sequence's state after its last real step.</param>
/// <param name="Addressing">[rows, steps, K]: the addressing weights a_t of every step (zero at padding), or null when not asked for or the cell has no memory.</param>
public sealed record PersistentMemoryRnnOutput(Tensor Outputs, Tensor? Addressing);

/// <summary>
/// PRNN (Zhao et al., "PRNN: Recurrent Neural Network with Persistent Memory", arXiv 1801.08094): a recurrent network
/// with a persistent memory of K slots m_k shared by all sequences and learned by gradient descent. At each step the
/// encoded input e_t = tanh(W_e x_t + b_e) (optionally also reading h_{t−1}) is compared with every slot,
/// a_t = softmax(γ · cos(e_t, m_k)), and the read r_t = Σ_k a_tk m_k adapts the update: it enters every gate
/// pre-activation of an LSTM cell (<see cref="RnnCellKind.PersistentMemory"/>), or a_t weights K LSTM transitions
/// (<see cref="RnnCellKind.PersistentMemoryMixture"/>). Plain LSTM and GRU cells run in the same code.
/// </summary>
/// <remarks>
/// A batch holds sequences of different lengths, padded at the end: <c>x</c> is [rows, steps, D] and <c>lengths</c>
/// [rows]. One time loop runs for the whole batch; after a sequence's last step its state is carried unchanged
/// (<c>where(mask, new, old)</c>), so padding, whatever its values, never changes a real step's result. Everything that
/// does not depend on the state (the input projections and, with an input-only encoder, the whole addressing and read)
/// is computed for all steps in one product before the loop.
/// </remarks>
public sealed class PersistentMemoryRnn : nn.Module<Tensor, Tensor, Tensor>
{
    [ComponentName(Name = "input")]
    private readonly Linear input;

    [ComponentName(Name = "recurrent")]
    private readonly Linear recurrent;

    [ComponentName(Name = "head")]
    private readonly Linear head;

    [ComponentName(Name = "encoder")]
    private readonly Linear? encoder;

    [ComponentName(Name = "memory")]
    private readonly Parameter? memory;

    [ComponentName(Name = "log_sharpness")]
    private readonly Parameter? logSharpness;

    private readonly int _gates;

    /// <summary>Creates the network with weights drawn from <paramref name="generator"/> (uniform ±1/√hidden, as PyTorch's RNNs; forget-gate biases 1).</summary>
    /// <param name="config">The architecture, validated here.</param>
    /// <param name="generator">The generator of the initial weights; null uses torch's global one.</param>
    public PersistentMemoryRnn(PersistentMemoryRnnConfig config, Generator? generator = null)
        : base(nameof(PersistentMemoryRnn))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        int hidden = config.HiddenSize;
        _gates = config.CellKind == RnnCellKind.Gru ? 3 : 4;
        int transitions = config.CellKind == RnnCellKind.PersistentMemoryMixture ? config.MemorySlots : 1;
        int inputWidth = config.StepSize + (config.CellKind == RnnCellKind.PersistentMemory ? config.MemoryWidth : 0);
        double bound = 1.0 / Math.Sqrt(hidden);
        input = NewLinear(inputWidth, transitions * _gates * hidden, bound, generator);
        recurrent = NewLinear(hidden, transitions * _gates * hidden, bound, generator);
        head = NewLinear(hidden, config.Outputs, bound, generator);
        if (_gates == 4)
        {
            // Forget gates start open (bias 1 in total), as is usual for LSTMs.
            using var noGrad = no_grad();
            input.bias!.view(transitions, 4, hidden)[.., 1].fill_(1.0);
            recurrent.bias!.view(transitions, 4, hidden)[.., 1].fill_(0.0);
        }

        if (config.HasMemory)
        {
            int encoderInputs = config.StepSize + (config.EncoderReadsHiddenState ? hidden : 0);
            encoder = NewLinear(encoderInputs, config.MemoryWidth, 1.0 / Math.Sqrt(encoderInputs), generator);
            memory = NewParameter(new long[] { config.MemorySlots, config.MemoryWidth }, 1.0, generator);
            logSharpness = new Parameter(tensor(new[] { (float)Math.Log(config.Sharpness) }), requires_grad: config.LearnSharpness);
            logSharpness.DetachFromDisposeScope();
        }

        RegisterComponents();
    }

    /// <summary>The architecture.</summary>
    public PersistentMemoryRnnConfig Config { get; }

    /// <summary>The memory slots [K, m] (null for LSTM and GRU cells).</summary>
    public Parameter? Memory => memory;

    /// <summary>γ, the addressing sharpness (null for LSTM and GRU cells).</summary>
    public double? Sharpness => logSharpness is null ? null : Math.Exp(logSharpness.item<float>());

    /// <summary>The logits (or regression outputs) [rows, outputs] of padded sequences <paramref name="x"/> [rows, steps, D] with <paramref name="lengths"/> [rows] (int64).</summary>
    public override Tensor forward(Tensor x, Tensor lengths) => Run(x, lengths).Outputs;

    /// <summary>Runs the batch; optionally keeps the addressing weights of every step.</summary>
    /// <param name="x">float32 [rows, steps, D], padded after each sequence's end (padding values are ignored).</param>
    /// <param name="lengths">int64 [rows], each in [1, steps].</param>
    /// <param name="keepAddressing">Return the addressing weights [rows, steps, K].</param>
    public PersistentMemoryRnnOutput Run(Tensor x, Tensor lengths, bool keepAddressing = false)
    {
        long rows = x.shape[0];
        long steps = x.shape[1];
        int hidden = Config.HiddenSize;
        var mask = arange(steps, dtype: int64, device: x.device).unsqueeze(0).lt(lengths.unsqueeze(1)).unsqueeze(2); // [rows, steps, 1]
        bool stepwiseMemory = Config.HasMemory && Config.EncoderReadsHiddenState;

        // State-independent parts for all steps at once.
        Tensor? addressing = null;
        Tensor? projected = null;
        if (Config.HasMemory && !stepwiseMemory)
        {
            addressing = Address(tanh(encoder!.forward(x)));
        }

        if (!stepwiseMemory)
        {
            projected = Config.CellKind == RnnCellKind.PersistentMemory
                ? input.forward(cat(new[] { x, matmul(addressing!, memory!) }, 2))
                : input.forward(x);
        }

        var h = zeros(rows, hidden, dtype: x.dtype, device: x.device);
        var c = zeros(rows, hidden, dtype: x.dtype, device: x.device);
        var stepAddressing = new List<Tensor>();
        for (long t = 0; t < steps; t++)
        {
            Tensor gatesInput;
            Tensor? a;
            if (stepwiseMemory)
            {
                var xt = x[.., t];
                var e = tanh(encoder!.forward(cat(new[] { xt, h }, 1)));
                a = Address(e);
                stepAddressing.Add(a);
                gatesInput = Config.CellKind == RnnCellKind.PersistentMemory
                    ? input.forward(cat(new[] { xt, matmul(a, memory!) }, 1))
                    : input.forward(xt);
            }
            else
            {
                gatesInput = projected![.., t];
                a = addressing?[.., t];
            }

            var (hNew, cNew) = Step(gatesInput, h, c, a);
            var real = mask[.., t];
            h = where(real, hNew, h);
            c = where(real, cNew, c);
        }

        if (stepwiseMemory)
        {
            addressing = stack(stepAddressing, 1);
        }

        var outputs = head.forward(h);
        return new PersistentMemoryRnnOutput(
            outputs,
            keepAddressing && addressing is not null ? addressing * mask : null);
    }

    /// <summary>
    /// The encoded inputs e = tanh(W_e x + b_e) of single steps <paramref name="steps"/> [n, D] (with h = 0 when the
    /// encoder also reads the state): what the memory slots are compared with, used to initialise them from data.
    /// </summary>
    /// <exception cref="InvalidOperationException">The cell has no memory.</exception>
    public Tensor Encode(Tensor steps)
    {
        if (encoder is null)
        {
            throw new InvalidOperationException($"A {Config.CellKind} cell has no memory and no encoder.");
        }

        var inputs = Config.EncoderReadsHiddenState
            ? cat(new[] { steps, zeros(steps.shape[0], Config.HiddenSize, dtype: steps.dtype, device: steps.device) }, 1)
            : steps;
        return tanh(encoder.forward(inputs));
    }

    /// <summary>Copies <paramref name="slots"/> [K, m] into the memory (initialisation from data or prototypes).</summary>
    /// <exception cref="InvalidOperationException">The cell has no memory.</exception>
    /// <exception cref="ArgumentException">The shape is not [K, m].</exception>
    public void SetMemory(Tensor slots)
    {
        if (memory is null)
        {
            throw new InvalidOperationException($"A {Config.CellKind} cell has no memory to initialise.");
        }

        if (!slots.shape.SequenceEqual(memory.shape))
        {
            throw new ArgumentException($"Memory slots must be [{memory.shape[0]}, {memory.shape[1]}] (MemorySlots × MemoryWidth), but are [{string.Join(", ", slots.shape)}].", nameof(slots));
        }

        using var noGrad = no_grad();
        memory.copy_(slots);
    }

    /// <summary>a = softmax(γ · cos(e, m_k)) over the slots, for encodings [..., m].</summary>
    private Tensor Address(Tensor encodings)
    {
        var similarity = matmul(nn.functional.normalize(encodings, dim: -1), nn.functional.normalize(memory!, dim: 1).t());
        return softmax(similarity * logSharpness!.exp(), -1);
    }

    /// <summary>One cell update from the gate inputs (already projected), the state and the addressing weights.</summary>
    private (Tensor H, Tensor C) Step(Tensor gatesInput, Tensor h, Tensor c, Tensor? a)
    {
        int hidden = Config.HiddenSize;
        var fromState = recurrent.forward(h);
        if (Config.CellKind == RnnCellKind.Gru)
        {
            var xi = gatesInput.chunk(3, 1);
            var hi = fromState.chunk(3, 1);
            var reset = sigmoid(xi[0] + hi[0]);
            var update = sigmoid(xi[1] + hi[1]);
            var candidate = tanh(xi[2] + reset * hi[2]);
            return (candidate + update * (h - candidate), c);
        }

        var gates = gatesInput + fromState;
        if (Config.CellKind == RnnCellKind.PersistentMemoryMixture)
        {
            // K transitions, one per slot, mixed by the addressing weights.
            gates = (gates.view(-1, Config.MemorySlots, 4 * hidden) * a!.unsqueeze(2)).sum(1);
        }

        var g = gates.chunk(4, 1);
        var cNew = sigmoid(g[1]) * c + sigmoid(g[0]) * tanh(g[2]);
        return (sigmoid(g[3]) * tanh(cNew), cNew);
    }

    private static Linear NewLinear(long inputs, long outputs, double bound, Generator? generator)
    {
        var weight = NewParameter(new[] { outputs, inputs }, bound, generator);
        var bias = NewParameter(new[] { outputs }, bound, generator);
        return nn.Linear(weight, bias);
    }

    private static Parameter NewParameter(long[] shape, double bound, Generator? generator)
    {
        var data = empty(shape, dtype: float32, device: CPU);
        using (no_grad())
        {
            data.uniform_(-bound, bound, generator);
        }

        data.DetachFromDisposeScope();
        var parameter = new Parameter(data, requires_grad: true);
        parameter.DetachFromDisposeScope();
        return parameter;
    }
}
