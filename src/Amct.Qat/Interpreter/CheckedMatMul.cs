using System.Globalization;
using static TorchSharp.torch;

namespace Amct.Qat.Interpreter;

/// <summary>
/// torch.matmul behind the check libtorch would make. TorchSharp's matmul binding (THSTensor_matmul) is one of the few
/// that do not turn libtorch's errors into exceptions: operands libtorch refuses end the process (std::terminate),
/// with no coded error and no fallback. A fixed-batch model whose batch axis a MatMul multiplies over (ONNX Runtime
/// runs it at batch 1) did so when retraining tried a merged batch. So the shapes and types are checked here, following
/// ONNX's MatMul (numpy's matmul), and a refusal is raised as <see cref="OperandsRefusedException"/>: the graph reports
/// it as AMCT6002 naming the node, as it reports libtorch's own refusals, and merging batches takes it as "this graph
/// runs one batch size only".
/// </summary>
internal static class CheckedMatMul
{
    public static Tensor Multiply(Tensor a, Tensor b)
    {
        var problem = Problem(a.shape, b.shape) ?? (a.dtype != b.dtype ? $"their element types differ ({a.dtype} and {b.dtype})" : null);
        if (problem is not null)
        {
            throw new OperandsRefusedException($"cannot multiply {Shape(a.shape)} by {Shape(b.shape)}: {problem}");
        }
        return matmul(a, b);
    }

    /// <summary>Why numpy's matmul refuses operands of these shapes; null when it takes them.</summary>
    public static string? Problem(long[] a, long[] b)
    {
        if (a.Length == 0 || b.Length == 0)
        {
            return "a scalar has no matrix dimension";
        }
        // A 1-D operand is a row (left) or a column (right) vector.
        var (inner, other) = (a[^1], b.Length == 1 ? b[0] : b[^2]);
        if (inner != other)
        {
            return $"the inner dimensions {inner} and {other} differ";
        }
        var (batchA, batchB) = (a.Length > 2 ? a[..^2] : [], b.Length > 2 ? b[..^2] : []);
        for (var i = 1; i <= Math.Max(batchA.Length, batchB.Length); i++)
        {
            var (x, y) = (i <= batchA.Length ? batchA[^i] : 1, i <= batchB.Length ? batchB[^i] : 1);
            if (x != y && x != 1 && y != 1)
            {
                return $"the batch dimensions {Shape(batchA)} and {Shape(batchB)} do not broadcast";
            }
        }
        return null;
    }

    private static string Shape(long[] shape) => "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
}

/// <summary>Operands an op refuses before handing them to libtorch (which would end the process instead of raising).</summary>
internal sealed class OperandsRefusedException(string message) : InvalidOperationException(message);
