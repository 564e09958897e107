using static TorchSharp.torch;

namespace Amct.Qat.Interpreter;

/// <summary>Reductions over axes (given as attribute, or as input from opset 13 for ReduceSum and 18 for the others).</summary>
internal static class ReduceOps
{
    public static readonly IReadOnlyDictionary<string, Func<NodeCall, Tensor[]>> All =
        new Dictionary<string, Func<NodeCall, Tensor[]>>(StringComparer.Ordinal)
        {
            ["ReduceMean"] = c => [Reduce(c, (x, dims, keep) => x.mean(dims, keep))],
            ["ReduceSum"] = c => [Reduce(c, (x, dims, keep) => x.sum(dims, keep))],
            ["ReduceSumSquare"] = c => [Reduce(c, (x, dims, keep) => x.square().sum(dims, keep))],
            ["ReduceL2"] = c => [Reduce(c, (x, dims, keep) => x.square().sum(dims, keep).sqrt())],
            ["ReduceMax"] = c => [Reduce(c, (x, dims, keep) => x.amax(dims, keep))],
            ["ReduceMin"] = c => [Reduce(c, (x, dims, keep) => x.amin(dims, keep))],
            ["ArgMax"] = c => [Arg(c, max: true)],
            ["ArgMin"] = c => [Arg(c, max: false)],
        };

    private static Tensor Reduce(NodeCall c, Func<Tensor, long[], bool, Tensor> reduce)
    {
        var x = c.In(0);
        var axes = c.IntsFrom(1, "axes");
        if (axes is null || axes.Length == 0)
        {
            if (c.Int("noop_with_empty_axes", 0) != 0)
            {
                return x;
            }
            axes = Enumerable.Range(0, (int)x.dim()).Select(d => (long)d).ToArray();
        }
        return reduce(x, axes.Select(a => NodeCall.Axis(a, x.dim())).ToArray(), c.Int("keepdims", 1) != 0);
    }

    private static Tensor Arg(NodeCall c, bool max)
    {
        if (c.Int("select_last_index", 0) != 0)
        {
            throw c.Unsupported("select_last_index=1");
        }
        var x = c.In(0);
        var axis = NodeCall.Axis(c.Int("axis", 0), x.dim());
        var keep = c.Int("keepdims", 1) != 0;
        return max ? x.argmax(axis, keep) : x.argmin(axis, keep);
    }
}
