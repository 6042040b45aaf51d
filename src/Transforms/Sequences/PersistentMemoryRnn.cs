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
/// [rows]. With an input-only encoder (the default) the encoding, addressing and read do not depend on the state, so
/// they are computed for all steps at once and the recurrence is libtorch's own LSTM (or GRU) over the padded batch,
/// one native call; the state at each sequence's last real step is gathered from its outputs (a recurrence is causal,
/// so padding never reaches a real step). The mixture and the hidden-state encoder need the state at every step: one
/// time loop runs for the whole batch, and after a sequence's end its state is carried unchanged
/// (<c>where(mask, new, old)</c>).
/// </remarks>
public sealed class PersistentMemoryRnn : nn.Module<Tensor, Tensor, Tensor>
{
    [ComponentName(Name = "rnn")]
    private readonly nn.Module? rnn;

    [ComponentName(Name = "input")]
    private readonly Linear? input;

    [ComponentName(Name = "recurrent")]
    private readonly Linear? recurrent;

    [ComponentName(Name = "head")]
    private readonly Linear head;

    [ComponentName(Name = "encoder")]
    private readonly Linear? encoder;

    [ComponentName(Name = "memory")]
    private readonly Parameter? memory;

    [ComponentName(Name = "log_sharpness")]
    private readonly Parameter? logSharpness;

    /// <summary>
    /// Creates the network with weights drawn from <paramref name="generator"/>: the recurrence and head uniform ±1/√hidden, as
    /// PyTorch's RNNs (forget-gate biases 1); the encoder ±1/√(its inputs); the memory ±1.
    /// </summary>
    /// <param name="config">The architecture, validated here.</param>
    /// <param name="generator">The generator of the initial weights; null uses torch's global one.</param>
    public PersistentMemoryRnn(PersistentMemoryRnnConfig config, Generator? generator = null)
        : base(nameof(PersistentMemoryRnn))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        int hidden = config.HiddenSize;
        double bound = 1.0 / Math.Sqrt(hidden);
        if (config.CellKind == RnnCellKind.PersistentMemoryMixture)
        {
            int width = config.MemorySlots * 4 * hidden;
            input = NewLinear(config.StepSize, width, bound, generator);
            recurrent = NewLinear(hidden, width, bound, generator);
            OpenForgetGates(input.bias!, recurrent.bias!, config.MemorySlots);
        }
        else
        {
            rnn = NewRecurrence(config, bound, generator);
        }

        head = NewLinear(hidden, config.Outputs, bound, generator);
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
    /// <param name="x">float32 [rows, steps, D], padded after each sequence's end (padding values do not reach the outputs; keep them finite if gradients flow, as a NaN there would reach the gradients).</param>
    /// <param name="lengths">int64 [rows], each in [1, steps].</param>
    /// <param name="keepAddressing">Return the addressing weights [rows, steps, K].</param>
    public PersistentMemoryRnnOutput Run(Tensor x, Tensor lengths, bool keepAddressing = false)
    {
        bool stepwise = Config.HasMemory && Config.EncoderReadsHiddenState;
        Tensor? addressing = Config.HasMemory && !stepwise ? Address(tanh(encoder!.forward(x))) : null;
        Tensor state;
        if (Config.CellKind == RnnCellKind.PersistentMemoryMixture || stepwise)
        {
            (state, var stepAddressing) = Loop(x, lengths, addressing);
            addressing ??= stepAddressing;
        }
        else
        {
            var inputs = Config.CellKind == RnnCellKind.PersistentMemory ? cat(new[] { x, matmul(addressing!, memory!) }, 2) : x;
            var outputs = rnn is LSTM lstm ? lstm.forward(inputs).Item1 : ((GRU)rnn!).forward(inputs).Item1;
            var last = (lengths - 1).view(-1, 1, 1).expand(-1, 1, Config.HiddenSize);
            state = outputs.gather(1, last).squeeze(1);
        }

        var mask = StepMask(x, lengths);
        return new PersistentMemoryRnnOutput(head.forward(state), keepAddressing && addressing is not null ? addressing * mask : null);
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

    /// <summary>[rows, steps, 1] Boolean: true at real steps.</summary>
    private static Tensor StepMask(Tensor x, Tensor lengths) =>
        arange(x.shape[1], dtype: int64, device: x.device).unsqueeze(0).lt(lengths.unsqueeze(1)).unsqueeze(2);

    /// <summary>
    /// The batch-wide time loop of the LSTM-style cells that need the state at every step (the mixture, the hidden-state
    /// encoder). Returns the state after each sequence's last step and, when addressed in the loop, the addressing weights.
    /// </summary>
    private (Tensor State, Tensor? Addressing) Loop(Tensor x, Tensor lengths, Tensor? addressing)
    {
        long rows = x.shape[0];
        bool mixture = Config.CellKind == RnnCellKind.PersistentMemoryMixture;
        bool stepwise = addressing is null;
        var (weightIh, biasIh, weightHh, biasHh) = mixture
            ? (input!.weight!, input.bias!, recurrent!.weight!, recurrent.bias!)
            : (Weight("weight_ih_l0"), Weight("bias_ih_l0"), Weight("weight_hh_l0"), Weight("bias_hh_l0"));
        var real = StepMask(x, lengths).unbind(1);
        var steps = x.unbind(1);
        var projected = !stepwise && mixture ? nn.functional.linear(x, weightIh, biasIh).unbind(1) : null;
        var fixedAddressing = addressing?.unbind(1);
        var h = zeros(rows, Config.HiddenSize, dtype: x.dtype, device: x.device);
        var c = zeros(rows, Config.HiddenSize, dtype: x.dtype, device: x.device);
        var stepAddressing = new List<Tensor>();
        for (int t = 0; t < steps.Length; t++)
        {
            var a = fixedAddressing?[t];
            if (stepwise)
            {
                a = Address(tanh(encoder!.forward(cat(new[] { steps[t], h }, 1))));
                stepAddressing.Add(a);
            }

            var gatesInput = projected?[t] ?? nn.functional.linear(mixture ? steps[t] : cat(new[] { steps[t], matmul(a!, memory!) }, 1), weightIh, biasIh);
            var gates = gatesInput + nn.functional.linear(h, weightHh, biasHh);
            if (mixture)
            {
                // K transitions, one per slot, mixed by the addressing weights.
                gates = (gates.view(rows, Config.MemorySlots, 4 * Config.HiddenSize) * a!.unsqueeze(2)).sum(1);
            }

            var g = gates.chunk(4, 1);
            var cNew = (sigmoid(g[1]) * c) + (sigmoid(g[0]) * tanh(g[2]));
            var hNew = sigmoid(g[3]) * tanh(cNew);
            h = where(real[t], hNew, h);
            c = where(real[t], cNew, c);
        }

        return (h, stepwise ? stack(stepAddressing, 1) : null);
    }

    private Parameter Weight(string name) => rnn!.named_parameters().Single(p => p.name == name).parameter;

    /// <summary>a = softmax(γ · cos(e, m_k)) over the slots, for encodings [..., m].</summary>
    private Tensor Address(Tensor encodings)
    {
        var similarity = matmul(nn.functional.normalize(encodings, dim: -1), nn.functional.normalize(memory!, dim: 1).t());
        return softmax(similarity * logSharpness!.exp(), -1);
    }

    /// <summary>
    /// libtorch's LSTM (persistent memory: its input is [x_t; r_t]) or GRU, batch-first, with weights redrawn from
    /// <paramref name="generator"/>; the global generator's state is kept (the module draws from it when created).
    /// </summary>
    private static nn.Module NewRecurrence(PersistentMemoryRnnConfig config, double bound, Generator? generator)
    {
        int inputs = config.StepSize + (config.CellKind == RnnCellKind.PersistentMemory ? config.MemoryWidth : 0);
        var state = random.get_rng_state();
        try
        {
            nn.Module module = config.CellKind == RnnCellKind.Gru
                ? nn.GRU(inputs, config.HiddenSize, batchFirst: true)
                : nn.LSTM(inputs, config.HiddenSize, batchFirst: true);
            using (no_grad())
            {
                foreach (var parameter in module.parameters())
                {
                    parameter.uniform_(-bound, bound, generator);
                }
            }

            if (config.CellKind != RnnCellKind.Gru)
            {
                var biases = module.named_parameters().ToDictionary(p => p.name, p => p.parameter);
                OpenForgetGates(biases["bias_ih_l0"], biases["bias_hh_l0"], 1);
            }

            return module;
        }
        finally
        {
            random.set_rng_state(state);
            state.Dispose();
        }
    }

    /// <summary>Forget gates start open (bias 1 in total), as is usual for LSTMs; gate order i, f, g, o.</summary>
    private static void OpenForgetGates(Tensor inputBias, Tensor recurrentBias, int transitions)
    {
        using var noGrad = no_grad();
        long hidden = inputBias.shape[0] / (4 * transitions);
        inputBias.view(transitions, 4, hidden)[.., 1].fill_(1.0);
        recurrentBias.view(transitions, 4, hidden)[.., 1].fill_(0.0);
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
