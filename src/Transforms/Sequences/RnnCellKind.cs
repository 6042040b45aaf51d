namespace MLNetExtensions.Transforms.Sequences;

/// <summary>The recurrent cell of a <see cref="PersistentMemoryRnn"/>: the persistent-memory cells or a plain LSTM or GRU of the same engine.</summary>
public enum RnnCellKind
{
    /// <summary>
    /// An LSTM whose every gate pre-activation also receives the memory read <c>r_t = Σ_k a_tk m_k</c> (through its own
    /// weights <c>W_r</c>): the state update adapts to the memory slots the step resembles. The default.
    /// </summary>
    PersistentMemory,

    /// <summary>
    /// A mixture of K LSTM transitions, one per memory slot, weighted by the addressing weights <c>a_t</c>
    /// (the "mixture layer" version of the paper): K times the recurrent weights of an LSTM.
    /// </summary>
    PersistentMemoryMixture,

    /// <summary>A plain LSTM (no memory).</summary>
    Lstm,

    /// <summary>A plain GRU (no memory).</summary>
    Gru,
}
