using Amct.Engine;
using Amct.Engine.Onnx;
using static TorchSharp.torch;

namespace Amct.Qat.Interpreter;

/// <summary>
/// Hooks a quantization-aware run places into the graph: every activation value as it is produced, every constant
/// as a node reads it. The float model is the run without hooks.
/// </summary>
internal interface IGraphHooks
{
    Tensor Activation(string name, Tensor value);
    Tensor Constant(string name, Tensor value);
}

/// <summary>
/// An ONNX graph evaluated node by node with torch functions (<see cref="NodeOps"/>), so autograd gives gradients
/// for any initializer made trainable. Nodes run in the file's order, which ONNX requires to be topological.
/// </summary>
internal sealed class OnnxGraph : IDisposable
{
    private readonly GraphProto _graph;
    private readonly string _source;
    private readonly Dictionary<string, Tensor> _constants = new(StringComparer.Ordinal);

    /// <exception cref="AmctException">AMCT6002: the graph has an operator the interpreter lacks (all are named).</exception>
    public OnnxGraph(ModelProto model, string source)
    {
        _graph = model.Graph;
        _source = source;
        var missing = _graph.Node.Select(n => n.OpType).Where(op => !NodeOps.All.ContainsKey(op)).Distinct().Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            throw new AmctException(ErrorCodes.RetrainUnsupportedOp, source,
                $"retraining cannot run this model: the retraining interpreter does not implement " +
                $"{(missing.Count > 1 ? "the operators" : "the operator")} {string.Join(", ", missing)}. Quantize without " +
                "Retrain: the post-training path supports every operator.");
        }
        foreach (var initializer in _graph.Initializer)
        {
            _constants[initializer.Name] = TorchTensors.FromProto(initializer, source);
        }
        Inputs = _graph.Input.Select(i => i.Name).Where(n => !_constants.ContainsKey(n)).ToList();
        Outputs = _graph.Output.Select(o => o.Name).ToList();
    }

    public IReadOnlyList<string> Inputs { get; }
    public IReadOnlyList<string> Outputs { get; }

    /// <summary>The initializers by name; training replaces some with trainable parameters.</summary>
    public Dictionary<string, Tensor> Constants => _constants;

    /// <summary>Evaluates the graph on <paramref name="inputs"/> (by input name); returns the graph's outputs in order.</summary>
    public Tensor[] Run(IReadOnlyDictionary<string, Tensor> inputs, IGraphHooks? hooks = null) => Run(inputs, Outputs, hooks);

    /// <summary>Evaluates the graph and returns the values named <paramref name="wanted"/> (outputs or inner values).</summary>
    public Tensor[] Run(IReadOnlyDictionary<string, Tensor> inputs, IReadOnlyList<string> wanted, IGraphHooks? hooks)
    {
        var values = Start(inputs, hooks);
        var constantsRead = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var node in Nodes)
        {
            RunNode(node, values, constantsRead, hooks);
        }
        return wanted.Select(o => values[o]).ToArray();
    }

    /// <summary>The nodes in the order they run.</summary>
    public IReadOnlyList<NodeProto> Nodes => _graph.Node;

    /// <summary>The values a run starts from: the graph inputs, through the hooks.</summary>
    public Dictionary<string, Tensor> Start(IReadOnlyDictionary<string, Tensor> inputs, IGraphHooks? hooks)
    {
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var name in Inputs)
        {
            var value = inputs[name];
            values[name] = hooks?.Activation(name, value) ?? value;
        }
        return values;
    }

    /// <summary>
    /// Runs <paramref name="node"/> on <paramref name="values"/> and adds its outputs (through the hooks) to them.
    /// <paramref name="constantsRead"/> keeps the constants as the hooks gave them, so a constant read by several nodes is
    /// transformed once; a caller whose hooks change between nodes starts a new one.
    /// </summary>
    public void RunNode(NodeProto node, Dictionary<string, Tensor> values, Dictionary<string, Tensor> constantsRead, IGraphHooks? hooks)
    {
        var args = node.Input.Select(name => name.Length == 0 ? null : Read(name, values, constantsRead, hooks)).ToArray();
        Tensor[] results;
        try
        {
            results = NodeOps.All[node.OpType](new NodeCall(node, args));
        }
        catch (NotSupportedException e)
        {
            throw new AmctException(ErrorCodes.RetrainUnsupportedOp, _source, e.Message + ". Quantize without Retrain.");
        }
        for (var i = 0; i < Math.Min(results.Length, node.Output.Count); i++)
        {
            if (node.Output[i].Length > 0)
            {
                values[node.Output[i]] = hooks?.Activation(node.Output[i], results[i]) ?? results[i];
            }
        }
    }

    private Tensor Read(string name, Dictionary<string, Tensor> values, Dictionary<string, Tensor> constantsRead, IGraphHooks? hooks)
    {
        if (values.TryGetValue(name, out var value) || constantsRead.TryGetValue(name, out value))
        {
            return value;
        }
        if (_constants.TryGetValue(name, out var constant))
        {
            var read = hooks?.Constant(name, constant) ?? constant;
            constantsRead[name] = read;
            return read;
        }
        throw new AmctException(ErrorCodes.RetrainUnsupportedOp, _source, $"value '{name}' is used before any node produces it.");
    }

    public void Dispose()
    {
        foreach (var constant in _constants.Values)
        {
            constant.Dispose();
        }
    }
}
