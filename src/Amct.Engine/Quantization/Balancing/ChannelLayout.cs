using Amct.Engine.Graph;
using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization.Balancing;

/// <summary>
/// Which channel each element of a constant belongs to: the input channels of a layer's weight (the ones balancing
/// multiplies), or the output channels of a producer's weight, bias or per-channel scale (the ones a fold divides).
/// </summary>
/// <param name="Channels">How many channels the constant holds.</param>
/// <param name="ChannelOf">The channel of the element at a flat (row-major) index.</param>
internal sealed record ChannelLayout(int Channels, Func<long, int> ChannelOf)
{
    /// <summary>
    /// The input channels of a weight: rows of MatMul's B [K, N] and of Gemm's B (columns with transB=1), axis 1 of a
    /// Conv kernel [M, C, …]. Null for a layout balancing does not handle (a grouped convolution).
    /// </summary>
    public static ChannelLayout? WeightInputs(NodeProto layer, TensorProto weight) => Weight(layer, weight, inputs: true);

    /// <summary>The output channels of a producer's weight: columns of B [K, N] (rows with transB=1), axis 0 of a kernel.</summary>
    public static ChannelLayout? WeightOutputs(NodeProto producer, TensorProto weight) => Weight(producer, weight, inputs: false);

    private static ChannelLayout? Weight(NodeProto node, TensorProto weight, bool inputs)
    {
        var dims = weight.Dims.ToArray();
        if (node.OpType is "MatMul" or "Gemm" && dims.Length == 2)
        {
            // B is [K, N]: inputs along the rows, outputs along the columns; a Gemm with transB=1 holds it as [N, K].
            var transposed = node.OpType == "Gemm" && NodeAttributes.GetInt(node, "transB", 0) != 0;
            return inputs != transposed ? Rows(dims) : Columns(dims);
        }
        if (node.OpType != "Conv" || dims.Length < 3)
        {
            return null;
        }
        if (!inputs)
        {
            var kernel = dims.Skip(1).Aggregate(1L, (a, b) => a * b);
            return new ChannelLayout((int)dims[0], i => (int)(i / kernel));
        }
        if (NodeAttributes.GetInt(node, "group", 1) != 1)
        {
            return null; // a group's kernel sees only its own input channels: one factor per channel does not fit all
        }
        var inner = dims.Skip(2).Aggregate(1L, (a, b) => a * b);
        var channels = (int)dims[1];
        return new ChannelLayout(channels, i => (int)(i / inner % channels));
    }

    /// <summary>
    /// A constant with one element per channel of a rank-<paramref name="rank"/> activation, placed so that broadcasting
    /// puts element j on channel j ([C], [1, C]… for the last axis; [C, 1, 1], [1, C, 1, 1]… for axis 1). Null otherwise.
    /// A rank of 0 (not known: a record's factors, no data seen) admits only a 1-D constant, which fits any rank.
    /// </summary>
    public static ChannelLayout? PerChannel(TensorProto constant, int channels, Calibration.ChannelAxis axis, int rank)
    {
        var dims = constant.Dims.ToArray();
        if (dims.Aggregate(1L, (a, b) => a * b) != channels || dims.Length > Math.Max(rank, 1))
        {
            return null;
        }
        // Right-aligned against the activation's shape, the channel dimension sits at this position of dims.
        var at = axis == Calibration.ChannelAxis.Last ? dims.Length - 1 : dims.Length - (rank - 1);
        return at >= 0 && at < dims.Length && dims[at] == channels ? new ChannelLayout(channels, i => (int)i) : null;
    }

    private static ChannelLayout Rows(long[] dims) => new((int)dims[0], i => (int)(i / dims[1]));

    private static ChannelLayout Columns(long[] dims) => new((int)dims[1], i => (int)(i % dims[1]));
}
