using System.Globalization;
using System.Runtime.InteropServices;
using Google.Protobuf;
using MLNetExtensions.Transforms.Text;
using Onnx;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Bert.Checkpoints;

/// <summary>
/// Reads a BERT-family ONNX export (as written by PyTorch's exporter, e.g. all-MiniLM-L6-v2): the embeddings, biases,
/// layer norms and pooler keep their Hugging Face names, while the encoder's weight matrices are anonymous initializers
/// stored as [in, out], the second input of a <c>MatMul</c> whose output is added to a named bias. Each such matrix is
/// named from that bias and transposed to PyTorch's [out, in]; the configuration is inferred from the shapes (vocabulary,
/// width, layers, feed-forward size, positions, token types) and the graph (heads from the <c>Reshape</c> after the
/// query projection, layer-norm ε from the decomposed layer norm, the activation from the feed-forward block).
/// </summary>
internal static class OnnxBertReader
{
    private const string QueryBias = "encoder.layer.0.attention.self.query.bias";
    private const string IntermediateBias = "encoder.layer.0.intermediate.dense.bias";
    private const string EmbeddingNormWeight = "embeddings.LayerNorm.weight";

    public static BertCheckpoint Read(Stream stream, string description, string vocabularyText, string vocabularyDescription, bool lowerCase, bool stripAccents)
    {
        var tokenizer = WordPieceEncoder.FromText(vocabularyText, lowerCase, stripAccents, vocabularyDescription);
        var graph = new OnnxGraph(Parse(stream, description), description);
        var (sources, unused) = LocateWeights(graph);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, (proto, transpose)) in sources)
            {
                tensors[name] = graph.ToFloatTensor(proto, transpose);
            }

            var config = InferConfig(graph, tensors);
            return CheckpointAssembler.Build(config, tensors, unused, description, tokenizer, vocabularyDescription, description);
        }
        finally
        {
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }
        }
    }

    private static GraphProto Parse(Stream stream, string description)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"The {description} could not be read as an ONNX model (truncated, or not ONNX?): {e.Message}", e);
        }

        if (model.Graph is null || model.Graph.Node.Count == 0 || model.Graph.Initializer.Count == 0)
        {
            throw new InvalidDataException($"The {description} holds no ONNX graph with weights (truncated, or not ONNX?).");
        }

        return model.Graph;
    }

    /// <summary>Hugging Face name → (initializer, whether it is stored [in, out]); and the initializers left unused.</summary>
    private static (Dictionary<string, (TensorProto Proto, bool Transpose)> Sources, List<string> Unused) LocateWeights(OnnxGraph graph)
    {
        var sources = new Dictionary<string, (TensorProto, bool)>(StringComparer.Ordinal);
        var consumed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
        {
            bool matMul = node.OpType == "MatMul" && node.Input.Count == 2;
            bool gemm = node.OpType == "Gemm" && node.Input.Count == 3 && OnnxGraph.IntAttribute(node, "transA", 0) == 0;
            if (!(matMul || gemm) || !graph.Initializers.TryGetValue(node.Input[1], out var weight) || weight.Dims.Count != 2)
            {
                continue;
            }

            // MatMul computes x·W with W [in, out]; Gemm with transB = 1 computes x·Wᵀ with W [out, in], PyTorch's layout.
            bool transpose = matMul || OnnxGraph.IntAttribute(node, "transB", 0) == 0;
            string? bias = gemm
                ? node.Input[2]
                : graph.Consumers(node.Output[0]).Where(n => n.OpType == "Add").SelectMany(n => n.Input).FirstOrDefault(i => i != node.Output[0] && graph.Initializers.ContainsKey(i));
            string? name = bias is null ? null : CheckpointAssembler.Normalize(bias);
            if (name is null || !name.EndsWith(".bias", StringComparison.Ordinal))
            {
                continue;
            }

            sources[name[..^"bias".Length] + "weight"] = (weight, transpose);
            consumed.Add(node.Input[1]);
        }

        var unused = new List<string>();
        foreach (var (original, proto) in graph.Initializers)
        {
            if (consumed.Contains(original))
            {
                continue;
            }

            string name = CheckpointAssembler.Normalize(original);
            bool named = name.StartsWith("embeddings.", StringComparison.Ordinal) || name.StartsWith("encoder.", StringComparison.Ordinal) || name.StartsWith("pooler.", StringComparison.Ordinal);
            if (named && proto.DataType == (int)TensorProto.Types.DataType.Float)
            {
                sources.TryAdd(name, (proto, false));
            }
            else if (name.Contains('.', StringComparison.Ordinal) || proto.DataType == (int)TensorProto.Types.DataType.Float)
            {
                // Named tensors of other kinds (position_ids) and float constants nobody claims; integer shape constants are not weights.
                unused.Add(name);
            }
        }

        return (sources, unused);
    }

    private static BertConfig InferConfig(OnnxGraph graph, Dictionary<string, Tensor> tensors)
    {
        Tensor Get(string name) => tensors.TryGetValue(name, out var tensor)
            ? tensor
            : throw new InvalidDataException($"The {graph.Description} is not a BERT-shaped ONNX model: it has no tensor '{name}' (named tensors found: {string.Join(", ", tensors.Keys.Take(8))}{(tensors.Count > 8 ? ", …" : string.Empty)}).");

        var words = Get("embeddings.word_embeddings.weight");
        var positions = Get("embeddings.position_embeddings.weight");
        var types = Get("embeddings.token_type_embeddings.weight");
        int hidden = checked((int)words.shape[1]);
        var layerIndices = tensors.Keys
            .Where(name => name.StartsWith("encoder.layer.", StringComparison.Ordinal))
            .Select(name => int.Parse(name.Split('.')[2], CultureInfo.InvariantCulture))
            .ToHashSet();
        if (!layerIndices.Contains(0))
        {
            throw new InvalidDataException($"The {graph.Description} is not a BERT-shaped ONNX model: it has no tensors of 'encoder.layer.0'.");
        }

        var config = new BertConfig
        {
            VocabSize = checked((int)words.shape[0]),
            HiddenSize = hidden,
            NumHiddenLayers = layerIndices.Max() + 1,
            NumAttentionHeads = InferHeads(graph, hidden),
            IntermediateSize = checked((int)Get(IntermediateBias).shape[0]),
            MaxPositionEmbeddings = checked((int)positions.shape[0]),
            TypeVocabSize = checked((int)types.shape[0]),
            LayerNormEps = InferEpsilon(graph),
        };
        CheckActivation(graph);
        try
        {
            return config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"The {graph.Description} gives an invalid BERT configuration: {e.Message}", e);
        }
    }

    /// <summary>Heads from the <c>Reshape</c> of the first query projection to [batch, sequence, heads, head size].</summary>
    private static int InferHeads(OnnxGraph graph, int hidden)
    {
        var add = graph.NodeUsingInitializer(QueryBias, "Add");
        var reshape = add is null ? null : graph.Consumers(add.Output[0]).FirstOrDefault(n => n.OpType == "Reshape");
        var shape = reshape is null ? null : graph.ResolveInts(reshape.Input[1]);
        if (shape is not { Count: >= 2 } || shape[^2] <= 0 || shape[^1] <= 0 || shape[^2] * shape[^1] != hidden)
        {
            throw new InvalidDataException(
                $"The {graph.Description} is not a BERT-shaped ONNX model: the number of attention heads could not be read from a Reshape of the query projection ('{QueryBias}') into [heads, head size] with heads × head size = {hidden}" +
                (shape is null ? "." : $" (found shape [{string.Join(", ", shape)}])."));
        }

        return checked((int)shape[^2]);
    }

    /// <summary>ε of the embedding layer norm: a <c>LayerNormalization</c> node's attribute, or the constant added to the variance in a decomposed one.</summary>
    private static double InferEpsilon(OnnxGraph graph)
    {
        var user = graph.NodeUsingInitializer(EmbeddingNormWeight, null);
        if (user?.OpType == "LayerNormalization")
        {
            return Shortest(OnnxGraph.FloatAttribute(user, "epsilon", 1e-5f));
        }

        // x̂ = (x − mean) / sqrt(var + ε), then x̂ · weight + bias.
        var divide = user?.OpType == "Mul" ? user.Input.Select(graph.Producer).FirstOrDefault(n => n?.OpType == "Div") : null;
        var root = divide is null ? null : graph.Producer(divide.Input[1]);
        var sum = root?.OpType == "Sqrt" ? graph.Producer(root.Input[0]) : null;
        var epsilon = sum?.OpType == "Add" ? sum.Input.Select(graph.ResolveFloat).FirstOrDefault(value => value is not null) : null;
        return epsilon is float value
            ? Shortest(value)
            : throw new InvalidDataException($"The {graph.Description} is not a BERT-shaped ONNX model: the layer norm ε could not be found (no LayerNormalization node and no decomposed layer norm using '{EmbeddingNormWeight}').");
    }

    /// <summary>The feed-forward activation must be the exact (erf) GELU, the only one <see cref="BertIntermediate"/> implements.</summary>
    private static void CheckActivation(OnnxGraph graph)
    {
        var add = graph.NodeUsingInitializer(IntermediateBias, "Add")
            ?? throw new InvalidDataException($"The {graph.Description} is not a BERT-shaped ONNX model: no Add node uses '{IntermediateBias}'.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var frontier = new List<string> { add.Output[0] };
        for (int depth = 0; depth < 4 && frontier.Count > 0; depth++)
        {
            var next = graph.Consumers(frontier).Where(n => seen.Add(n.Output[0])).ToList();
            string[] ops = next.Select(n => n.OpType).ToArray();
            if (ops.Contains("Erf") || ops.Contains("Gelu"))
            {
                return;
            }

            if (ops.FirstOrDefault(op => op is "Tanh" or "Relu" or "Sigmoid" or "FastGelu") is { } other)
            {
                throw new InvalidDataException($"The {graph.Description} uses a {other}-based feed-forward activation after '{IntermediateBias}'; only the exact (erf) GELU is implemented.");
            }

            frontier = next.SelectMany(n => n.Output).ToList();
        }

        throw new InvalidDataException($"The {graph.Description} is not a BERT-shaped ONNX model: no Erf (exact GELU) follows the feed-forward projection '{IntermediateBias}'.");
    }

    /// <summary>The shortest decimal that rounds to the same float (1e-12 rather than 9.9999999600419720e-13).</summary>
    private static double Shortest(float value) => double.Parse(value.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>The graph's initializers, constants and node links.</summary>
    private sealed class OnnxGraph
    {
        private readonly Dictionary<string, NodeProto> _producers = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<NodeProto>> _consumers = new(StringComparer.Ordinal);
        private readonly Dictionary<string, TensorProto> _constants = new(StringComparer.Ordinal);

        public OnnxGraph(GraphProto graph, string description)
        {
            Description = description;
            Nodes = graph.Node;
            Initializers = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
            foreach (var initializer in graph.Initializer)
            {
                Initializers[initializer.Name] = initializer;
            }

            foreach (var node in graph.Node)
            {
                foreach (var output in node.Output)
                {
                    _producers[output] = node;
                }

                foreach (var input in node.Input)
                {
                    if (!_consumers.TryGetValue(input, out var list))
                    {
                        _consumers[input] = list = new List<NodeProto>();
                    }

                    list.Add(node);
                }

                if (node.OpType == "Constant" && node.Attribute.FirstOrDefault(a => a.Name == "value")?.T is { } value)
                {
                    _constants[node.Output[0]] = value;
                }
            }
        }

        public string Description { get; }

        public IReadOnlyList<NodeProto> Nodes { get; }

        public Dictionary<string, TensorProto> Initializers { get; }

        public NodeProto? Producer(string name) => _producers.GetValueOrDefault(name);

        public IReadOnlyList<NodeProto> Consumers(string name) => _consumers.TryGetValue(name, out var list) ? list : Array.Empty<NodeProto>();

        public IEnumerable<NodeProto> Consumers(IEnumerable<string> names) => names.SelectMany(Consumers);

        /// <summary>The first node (of <paramref name="opType"/>, or any) using the initializer whose normalised name is <paramref name="name"/>.</summary>
        public NodeProto? NodeUsingInitializer(string name, string? opType)
        {
            string? original = Initializers.Keys.FirstOrDefault(key => CheckpointAssembler.Normalize(key) == name);
            return original is null ? null : Consumers(original).FirstOrDefault(n => opType is null || n.OpType == opType);
        }

        /// <summary>Integer values of a constant, or of a <c>Concat</c> of constants and computed scalars (−1 for each computed one); null otherwise.</summary>
        public IReadOnlyList<long>? ResolveInts(string name)
        {
            if (Constant(name) is { } proto)
            {
                return Int64Values(proto);
            }

            if (Producer(name) is { OpType: "Concat" } concat)
            {
                var values = new List<long>();
                foreach (var input in concat.Input)
                {
                    values.AddRange(Constant(input) is { } part ? Int64Values(part) : new[] { -1L });
                }

                return values;
            }

            return null;
        }

        /// <summary>The value of a scalar float constant, or null.</summary>
        public float? ResolveFloat(string name)
        {
            if (Constant(name) is not { DataType: (int)TensorProto.Types.DataType.Float } proto)
            {
                return null;
            }

            if (proto.RawData.Length == sizeof(float))
            {
                return MemoryMarshal.Read<float>(proto.RawData.Span);
            }

            return proto.FloatData.Count == 1 ? proto.FloatData[0] : null;
        }

        /// <summary>A float32 initializer as a tensor, transposed from [in, out] to [out, in] when asked.</summary>
        public Tensor ToFloatTensor(TensorProto proto, bool transpose)
        {
            if (proto.DataLocation == TensorProto.Types.DataLocation.External)
            {
                throw new InvalidDataException($"The {Description} keeps initializer '{proto.Name}' in an external data file, which is not read; export the model with its weights inside.");
            }

            if (proto.DataType != (int)TensorProto.Types.DataType.Float)
            {
                throw new InvalidDataException($"The {Description}: initializer '{proto.Name}' has element type {(TensorProto.Types.DataType)proto.DataType}; only float32 weights are read.");
            }

            long[] shape = proto.Dims.ToArray();
            long count = shape.Aggregate(1L, (a, b) => a * b);
            float[] values = proto.RawData.Length == count * sizeof(float)
                ? MemoryMarshal.Cast<byte, float>(proto.RawData.Span).ToArray()
                : proto.FloatData.Count == count
                    ? proto.FloatData.ToArray()
                    : throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                        $"The {Description}: initializer '{proto.Name}' of shape [{string.Join(", ", shape)}] needs {count * sizeof(float)} bytes but holds {Math.Max(proto.RawData.Length, proto.FloatData.Count * sizeof(float))} (truncated?)."));
            var result = tensor(values, shape);
            if (!transpose)
            {
                return result;
            }

            using (result)
            {
                return result.t().contiguous();
            }
        }

        public static long IntAttribute(NodeProto node, string name, long fallback) => node.Attribute.FirstOrDefault(a => a.Name == name)?.I ?? fallback;

        public static float FloatAttribute(NodeProto node, string name, float fallback) => node.Attribute.FirstOrDefault(a => a.Name == name)?.F ?? fallback;

        private TensorProto? Constant(string name) => Initializers.GetValueOrDefault(name) ?? _constants.GetValueOrDefault(name);

        private static IReadOnlyList<long> Int64Values(TensorProto proto) => proto.DataType switch
        {
            (int)TensorProto.Types.DataType.Int64 when proto.RawData.Length > 0 => MemoryMarshal.Cast<byte, long>(proto.RawData.Span).ToArray(),
            (int)TensorProto.Types.DataType.Int64 => proto.Int64Data.ToArray(),
            (int)TensorProto.Types.DataType.Int32 when proto.RawData.Length > 0 => MemoryMarshal.Cast<byte, int>(proto.RawData.Span).ToArray().Select(v => (long)v).ToArray(),
            (int)TensorProto.Types.DataType.Int32 => proto.Int32Data.Select(v => (long)v).ToArray(),
            _ => Array.Empty<long>(),
        };
    }
}
