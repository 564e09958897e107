using Amct.Engine.Graph;
using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization.Rounding;

/// <summary>
/// How a layer's weight reads as the matrices Hessian-guided rounding works on: per group, <see cref="Rows"/> output
/// channels by <see cref="Columns"/> inputs (the values one output sums over), W[group, row, column] at
/// <see cref="Index"/> in the weight tensor. <see cref="Conv"/> says how a convolution's input vectors (its patches) are
/// cut from the activation; null for a matrix product, whose input vectors are the activation's rows.
/// </summary>
public sealed record RoundingLayout(int Groups, int Rows, int Columns, int RowStride, int ColumnStride, ConvPatches? Conv)
{
    /// <summary>Layers with more inputs per output are left to round to nearest: H alone would be Columns² doubles.</summary>
    public const int MaxColumns = 4096;

    public int Index(int group, int row, int column) => ((((group * Rows) + row) * RowStride)) + (column * ColumnStride);

    /// <summary>
    /// The layout of <paramref name="layer"/>'s weight, or why the layer is left to round to nearest: only Conv (pads
    /// given explicitly or VALID), Gemm (A not transposed) and MatMul (weight second, 2-D) with their scales per output
    /// channel or per tensor are understood.
    /// </summary>
    public static (RoundingLayout? Layout, string? Reason) Of(WeightedLayer layer, NodeProto node, TensorProto weight, QuantizedWeights quantized)
    {
        if (layer.Roles.Activation != 0 || layer.Roles.Weight.Input != 1)
        {
            return (null, "its weight is not the second input");
        }
        var dims = weight.Dims.Select(d => (int)d).ToArray();
        var (layout, reason) = layer.OpType switch
        {
            "Conv" => OfConv(node, dims, quantized.Axis),
            "MatMul" => OfMatrix(dims, transposed: false, quantized.Axis),
            "Gemm" when NodeAttributes.GetInt(node, "transA", 0) != 0 => (null, "Gemm with transA is not supported"),
            "Gemm" => OfMatrix(dims, NodeAttributes.GetInt(node, "transB", 0) != 0, quantized.Axis),
            _ => (null, $"{layer.OpType} is not a Conv, Gemm or MatMul"),
        };
        return layout is { Columns: > MaxColumns }
            ? (null, $"{layout.Columns} inputs per output (more than {MaxColumns})")
            : (layout, reason);
    }

    private static (RoundingLayout?, string?) OfConv(NodeProto node, int[] dims, int? axis)
    {
        if (dims.Length < 3 || axis is not (null or 0))
        {
            return (null, "the weight's scales are not per output channel");
        }
        var autoPad = NodeAttributes.GetString(node, "auto_pad", "NOTSET");
        if (autoPad is not ("NOTSET" or "VALID"))
        {
            return (null, $"auto_pad {autoPad} is not supported");
        }
        var spatial = dims.Length - 2;
        var kernel = dims.Skip(2).Select(d => (long)d).ToArray();
        var groups = (int)NodeAttributes.GetInt(node, "group", 1);
        if (groups < 1 || dims[0] % groups != 0)
        {
            return (null, $"group {groups} does not divide the {dims[0]} output channels");
        }
        var patches = new ConvPatches(
            kernel,
            NodeAttributes.GetInts(node, "strides") ?? Ones(spatial),
            NodeAttributes.GetInts(node, "dilations") ?? Ones(spatial),
            autoPad == "VALID" ? new long[2 * spatial] : NodeAttributes.GetInts(node, "pads") ?? new long[2 * spatial],
            groups);
        var columns = dims.Skip(1).Aggregate(1, (a, b) => a * b);
        return (new RoundingLayout(groups, dims[0] / groups, columns, columns, 1, patches), null);
    }

    /// <summary>A matrix product's weight: [K, N] (rows along axis 1), or [N, K] when Gemm transposes it.</summary>
    private static (RoundingLayout?, string?) OfMatrix(int[] dims, bool transposed, int? axis)
    {
        if (dims.Length != 2)
        {
            return (null, $"a {dims.Length}-D weight is not a matrix");
        }
        var outputAxis = transposed ? 0 : 1;
        if (axis is not null && axis != outputAxis)
        {
            return (null, "the weight's scales are not per output channel");
        }
        return transposed
            ? (new RoundingLayout(1, dims[0], dims[1], dims[1], 1, null), null)
            : (new RoundingLayout(1, dims[1], dims[0], 1, dims[1], null), null);
    }

    private static long[] Ones(int count) => Enumerable.Repeat(1L, count).ToArray();
}

/// <summary>A convolution's geometry, as ONNX's Conv attributes give it (pads: every axis's begin, then every end).</summary>
public sealed record ConvPatches(long[] Kernel, long[] Strides, long[] Dilations, long[] Pads, int Groups)
{
    /// <summary>The number of kernel offsets (the product of the kernel's sizes).</summary>
    public int Offsets => (int)Kernel.Aggregate(1L, (a, b) => a * b);
}
