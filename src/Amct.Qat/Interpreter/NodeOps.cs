using static TorchSharp.torch;

namespace Amct.Qat.Interpreter;

/// <summary>
/// The ONNX operators the interpreter evaluates, each as torch functions so autograd differentiates the graph: the
/// conv nets and audio models the repository tests on, and the transformer ops (MatMul, LayerNormalization or its
/// ReduceMean/Pow/Sqrt form, GELU or its Erf form, Softmax, Gather embeddings, Split, Where/Expand masks). If is
/// evaluated by <see cref="OnnxGraph"/>; a model with any other op is refused by name before training starts.
/// </summary>
internal static class NodeOps
{
    /// <summary>The control-flow operator the graph evaluates itself (the branch the condition picks).</summary>
    public const string If = "If";

    public static readonly IReadOnlyDictionary<string, Func<NodeCall, Tensor[]>> All =
        new[] { LayerOps.All, ActivationOps.All, MathOps.All, ReduceOps.All, ShapeOps.All }
            .SelectMany(family => family)
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    public static bool Supports(string opType) => opType == If || All.ContainsKey(opType);
}
