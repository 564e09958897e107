using System.Runtime.InteropServices;
using Amct.Engine;
using Amct.Engine.Graph;
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
/// for any initializer made trainable. Nodes run in the file's order, which ONNX requires to be topological. An If
/// runs the branch its condition picks for the batch at hand, as ONNX Runtime does; the branches see the outer values.
/// </summary>
internal sealed class OnnxGraph : IDisposable
{
    private readonly GraphProto _graph;
    private readonly string _source;
    private readonly long _opset;
    private readonly Dictionary<string, Tensor> _constants = new(StringComparer.Ordinal);

    /// <summary>The initializers of each If branch, by the branch (a branch's weights are not trained).</summary>
    private readonly Dictionary<GraphProto, Dictionary<string, Tensor>> _branchConstants = new(ReferenceEqualityComparer.Instance);

    /// <exception cref="AmctException">AMCT6002: the graph, or a branch of an If in it, has an operator the interpreter lacks (all are named).</exception>
    public OnnxGraph(ModelProto model, string source)
    {
        _graph = model.Graph;
        _source = source;
        _opset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(1).Max();
        var missing = AllNodes(_graph).Select(n => n.OpType).Where(op => !NodeOps.Supports(op)).Distinct().Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            throw new AmctException(ErrorCodes.RetrainUnsupportedOp, source,
                $"retraining cannot run this model: the retraining interpreter does not implement " +
                $"{(missing.Count > 1 ? "the operators" : "the operator")} {string.Join(", ", missing)}. Quantize without " +
                "Retrain: the post-training path supports every operator.");
        }
        Load(_graph, _constants);
        foreach (var branch in AllNodes(_graph).SelectMany(Branches))
        {
            Load(branch, _branchConstants[branch] = new Dictionary<string, Tensor>(StringComparer.Ordinal));
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

    /// <summary>The main graph's nodes in the order they run.</summary>
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
    /// Runs <paramref name="node"/> (a main-graph node) on <paramref name="values"/> and adds its outputs (through the
    /// hooks) to them. <paramref name="constantsRead"/> keeps the constants as the hooks gave them, so a constant read
    /// by several nodes is transformed once; a caller whose hooks change between nodes starts a new one.
    /// </summary>
    public void RunNode(NodeProto node, Dictionary<string, Tensor> values, Dictionary<string, Tensor> constantsRead, IGraphHooks? hooks) =>
        RunNode(node, [_constants], values, constantsRead, hooks);

    /// <summary>Runs one node of a graph whose constants are <paramref name="scopes"/>, innermost scope first.</summary>
    private void RunNode(NodeProto node, IReadOnlyList<Dictionary<string, Tensor>> scopes, Dictionary<string, Tensor> values,
        Dictionary<string, Tensor> constantsRead, IGraphHooks? hooks)
    {
        var args = node.Input.Select(name => name.Length == 0 ? null : Read(name, scopes, values, constantsRead, hooks)).ToArray();
        Tensor[] results;
        try
        {
            results = node.OpType == NodeOps.If
                ? If(node, args[0] ?? throw new NotSupportedException($"node '{node.Name}' (If) has no condition"), scopes, values, constantsRead, hooks)
                : NodeOps.All[node.OpType](new NodeCall(node, args, _opset));
        }
        catch (NotSupportedException e)
        {
            throw new AmctException(ErrorCodes.RetrainUnsupportedOp, _source, e.Message + ". Quantize without Retrain.");
        }
        catch (Exception e) when (e is ExternalException or OperandsRefusedException)
        {
            // libtorch refuses what the interpreter passed on (a shape or type it does not take), or would (matmul): name the node.
            throw new AmctException(ErrorCodes.RetrainUnsupportedOp, _source,
                $"retraining cannot evaluate node '{node.Name}' ({node.OpType}): {e.Message.Split('\n')[0]}. Quantize without Retrain.", e);
        }
        for (var i = 0; i < Math.Min(results.Length, node.Output.Count); i++)
        {
            if (node.Output[i].Length > 0)
            {
                values[node.Output[i]] = hooks?.Activation(node.Output[i], results[i]) ?? results[i];
            }
        }
    }

    /// <summary>The branch the condition picks, evaluated on a copy of the outer values; its outputs are the If's.</summary>
    private Tensor[] If(NodeProto node, Tensor condition, IReadOnlyList<Dictionary<string, Tensor>> scopes,
        Dictionary<string, Tensor> values, Dictionary<string, Tensor> constantsRead, IGraphHooks? hooks)
    {
        var branch = NodeAttributes.Find(node, condition.to(ScalarType.Bool).item<bool>() ? "then_branch" : "else_branch")?.G
            ?? throw new NotSupportedException($"node '{node.Name}' (If) lacks a branch");
        var inner = new Dictionary<string, Tensor>(values, StringComparer.Ordinal);
        var innerConstants = new Dictionary<string, Tensor>(constantsRead, StringComparer.Ordinal);
        foreach (var branchNode in branch.Node)
        {
            RunNode(branchNode, [_branchConstants[branch], .. scopes], inner, innerConstants, hooks);
        }
        return branch.Output.Select(o => inner[o.Name]).ToArray();
    }

    private Tensor Read(string name, IReadOnlyList<Dictionary<string, Tensor>> scopes, Dictionary<string, Tensor> values,
        Dictionary<string, Tensor> constantsRead, IGraphHooks? hooks)
    {
        if (values.TryGetValue(name, out var value) || constantsRead.TryGetValue(name, out value))
        {
            return value;
        }
        foreach (var constants in scopes)
        {
            if (constants.TryGetValue(name, out var constant))
            {
                var read = hooks?.Constant(name, constant) ?? constant;
                constantsRead[name] = read;
                return read;
            }
        }
        throw new AmctException(ErrorCodes.RetrainUnsupportedOp, _source, $"value '{name}' is used before any node produces it.");
    }

    private void Load(GraphProto graph, Dictionary<string, Tensor> into)
    {
        foreach (var initializer in graph.Initializer)
        {
            into[initializer.Name] = TorchTensors.FromProto(initializer, _source);
        }
    }

    /// <summary>The graph's nodes and those of every If branch in it, at any depth.</summary>
    private static IEnumerable<NodeProto> AllNodes(GraphProto graph) =>
        graph.Node.SelectMany(n => Branches(n).SelectMany(AllNodes).Prepend(n));

    private static IEnumerable<GraphProto> Branches(NodeProto node) =>
        node.Attribute.Select(a => a.G).Where(g => g is not null).Concat(node.Attribute.SelectMany(a => a.Graphs));

    public void Dispose()
    {
        foreach (var constant in _constants.Values.Concat(_branchConstants.Values.SelectMany(c => c.Values)))
        {
            constant.Dispose();
        }
    }
}
