using static TorchSharp.torch;

namespace Amct.Qat.Interpreter;

/// <summary>Element-wise arithmetic, comparison and logic, Where and Cast (with ONNX's numpy-style broadcasting).</summary>
internal static class MathOps
{
    public static readonly IReadOnlyDictionary<string, Func<NodeCall, Tensor[]>> All =
        new Dictionary<string, Func<NodeCall, Tensor[]>>(StringComparer.Ordinal)
        {
            ["Add"] = c => [c.In(0) + c.In(1)],
            ["Sub"] = c => [c.In(0) - c.In(1)],
            ["Mul"] = c => [c.In(0) * c.In(1)],
            ["Div"] = c => [Div(c.In(0), c.In(1))],
            ["Pow"] = c => [c.In(0).pow(c.In(1))],
            ["Sqrt"] = c => [c.In(0).sqrt()],
            ["Reciprocal"] = c => [c.In(0).reciprocal()],
            ["Exp"] = c => [c.In(0).exp()],
            ["Log"] = c => [c.In(0).log()],
            ["Erf"] = c => [c.In(0).erf()],
            ["Neg"] = c => [c.In(0).neg()],
            ["Abs"] = c => [c.In(0).abs()],
            ["Sign"] = c => [c.In(0).sign()],
            ["Floor"] = c => [c.In(0).floor()],
            ["Ceil"] = c => [c.In(0).ceil()],
            ["Max"] = c => [c.All.Aggregate(maximum)],
            ["Min"] = c => [c.All.Aggregate(minimum)],
            ["Sum"] = c => [c.All.Aggregate((a, b) => a + b)],
            ["Mean"] = c => [c.All.Aggregate((a, b) => a + b) / c.Count],
            ["Equal"] = c => [c.In(0).eq(c.In(1))],
            ["Greater"] = c => [c.In(0).gt(c.In(1))],
            ["GreaterOrEqual"] = c => [c.In(0).ge(c.In(1))],
            ["Less"] = c => [c.In(0).lt(c.In(1))],
            ["LessOrEqual"] = c => [c.In(0).le(c.In(1))],
            ["Not"] = c => [c.In(0).logical_not()],
            ["And"] = c => [c.In(0).logical_and(c.In(1))],
            ["Or"] = c => [c.In(0).logical_or(c.In(1))],
            ["Xor"] = c => [c.In(0).logical_xor(c.In(1))],
            ["Where"] = c => [where(c.In(0).to(ScalarType.Bool), c.In(1), c.In(2))],
            ["Cast"] = c => [c.In(0).to(TorchTensors.HeldAs(c.Int("to", 0)) ?? throw c.Unsupported($"Cast to element type {c.Int("to", 0)}"))],
            ["CastLike"] = c => [c.In(0).to(c.In(1).dtype)],
        };

    /// <summary>Integer division truncates in ONNX (as in C); torch's '/' would give floats.</summary>
    private static Tensor Div(Tensor a, Tensor b) =>
        a.dtype == ScalarType.Int64 && b.dtype == ScalarType.Int64 ? a.div(b, RoundingMode.trunc) : a / b;
}
