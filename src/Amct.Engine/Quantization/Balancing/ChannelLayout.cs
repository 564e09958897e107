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
    public static ChannelLayout? WeightInputs(NodeProto layer, TensorProto weight)
    {
        var dims = weight.Dims.ToArray();
        switch (layer.OpType)
        {
            case "MatMul" when dims.Length == 2:
            case "Gemm" when dims.Length == 2 && NodeAttributes.GetInt(layer, "transB", 0) == 0:
                return Rows(dims);
            case "Gemm" when dims.Length == 2:
                return Columns(dims);
            case "Conv" when dims.Length >= 3 && NodeAttributes.GetInt(layer, "group", 1) == 1:
                var inner = dims.Skip(2).Aggregate(1L, (a, b) => a * b);
                var channels = (int)dims[1];
                return new ChannelLayout(channels, i => (int)(i / inner % channels));
            default:
                return null;
        }
    }

    /// <summary>The output channels of a producer's weight: columns of B [K, N] (rows with transB=1), axis 0 of a kernel.</summary>
    public static ChannelLayout? WeightOutputs(NodeProto producer, TensorProto weight)
    {
        var dims = weight.Dims.ToArray();
        switch (producer.OpType)
        {
            case "MatMul" when dims.Length == 2:
            case "Gemm" when dims.Length == 2 && NodeAttributes.GetInt(producer, "transB", 0) == 0:
                return Columns(dims);
            case "Gemm" when dims.Length == 2:
                return Rows(dims);
            case "Conv" when dims.Length >= 3:
                var inner = dims.Skip(1).Aggregate(1L, (a, b) => a * b);
                return new ChannelLayout((int)dims[0], i => (int)(i / inner));
            default:
                return null;
        }
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
