using Amct.Engine.Graph;
using Amct.Engine.Onnx;
using static TorchSharp.torch;

namespace Amct.Qat.Interpreter;

/// <summary>One node's inputs (null for an omitted optional input), attributes and opset, as an op reads them.</summary>
/// <param name="opset">The model's default-domain opset; the weighted layers (which AdaRound evaluates alone) do not
/// depend on it, hence the default.</param>
internal sealed class NodeCall(NodeProto node, Tensor?[] inputs, long opset = NodeCall.CurrentOpset)
{
    /// <summary>The opset the engine prepares models to (ops whose meaning changed before it read <see cref="Opset"/>).</summary>
    public const long CurrentOpset = 13;

    public NodeProto Node => node;

    /// <summary>The model's default-domain opset, for operators whose defaults changed between versions.</summary>
    public long Opset => opset;
    public Tensor In(int i) => (i < inputs.Length ? inputs[i] : null) ?? throw Unsupported($"no input {i}");
    public Tensor? Optional(int i) => i < inputs.Length ? inputs[i] : null;
    public int Count => inputs.Length;
    public int Outputs => node.Output.Count;
    public IEnumerable<Tensor> All => Enumerable.Range(0, inputs.Length).Select(In);
    public bool Has(string name) => NodeAttributes.Has(node, name);
    public long Int(string name, long fallback) => NodeAttributes.GetInt(node, name, fallback);
    public float Float(string name, float fallback) => NodeAttributes.GetFloat(node, name, fallback);
    public long[]? Ints(string name) => NodeAttributes.GetInts(node, name);
    public string Text(string name, string fallback) => NodeAttributes.GetString(node, name, fallback);

    /// <summary>
    /// A list of integers given as input <paramref name="input"/> (newer opsets) or as attribute
    /// <paramref name="attribute"/> (older ones); null when neither is there.
    /// </summary>
    public long[]? IntsFrom(int input, string attribute) => Optional(input) is { } t ? TorchTensors.Longs(t) : Ints(attribute);

    /// <summary>An axis made non-negative for a tensor of rank <paramref name="rank"/>.</summary>
    public static long Axis(long axis, long rank) => axis < 0 ? axis + rank : axis;

    /// <summary>The error for an operator form the interpreter does not evaluate (the graph turns it into AMCT6002).</summary>
    public NotSupportedException Unsupported(string what) =>
        new($"node '{node.Name}' ({node.OpType}) uses {what}, which retraining does not support");
}
