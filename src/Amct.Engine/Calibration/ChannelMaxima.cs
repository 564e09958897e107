using Amct.Engine.Onnx;

namespace Amct.Engine.Calibration;

/// <summary>Where a tensor's channels lie: axis 1 (NCHW, what Conv reads) or the last axis (what MatMul and Gemm reduce over).</summary>
public enum ChannelAxis
{
    First,
    Last,
}

/// <summary>
/// The largest |x| of each channel of one tensor over the calibration data: what DMQ balancing needs to find the channels
/// that dominate a tensor's range. O(channels) memory whatever the sample count.
/// </summary>
public sealed class ChannelMaxima(string tensor, ChannelAxis axis)
{
    public string Tensor { get; } = tensor;

    public ChannelAxis Axis { get; } = axis;

    /// <summary>max|x| per channel; empty until the first batch.</summary>
    public double[] Max { get; private set; } = [];

    /// <summary>The tensor's rank, as the first batch showed it.</summary>
    public int Rank { get; private set; }

    public void Add(ReadOnlySpan<float> values, IReadOnlyList<long> shape)
    {
        if (shape.Count < 2)
        {
            return;
        }
        var channelAxis = Axis == ChannelAxis.First ? 1 : shape.Count - 1;
        var channels = (int)shape[channelAxis];
        long inner = 1;
        for (var d = channelAxis + 1; d < shape.Count; d++)
        {
            inner *= shape[d];
        }
        if (Max.Length == 0)
        {
            (Max, Rank) = (new double[channels], shape.Count);
        }
        else if (Max.Length != channels)
        {
            return;
        }
        for (var i = 0; i < values.Length; i++)
        {
            var c = (int)(i / inner % channels);
            var magnitude = Math.Abs(values[i]);
            if (magnitude > Max[c])
            {
                Max[c] = magnitude;
            }
        }
    }

    /// <summary>
    /// One pass of the float model over <paramref name="batches"/> observing each tensor's channels. Returns the samples
    /// run and the maxima; NaN or Inf values are left to the calibration pass after it, which names them.
    /// </summary>
    public static (long Samples, IReadOnlyList<ChannelMaxima> Maxima) Observe(ModelProto model,
        IReadOnlyList<(string Tensor, ChannelAxis Axis)> tensors, IEnumerable<IReadOnlyDictionary<string, TensorProto>> batches,
        string source)
    {
        var maxima = tensors.Select(t => new ChannelMaxima(t.Tensor, t.Axis)).ToList();
        var samples = Calibrator.ForEachBatch(model, tensors.Select(t => t.Tensor).ToList(), batches, source,
            (i, output, _) => maxima[i].Add(output.GetTensorDataAsSpan<float>(), output.GetTensorTypeAndShape().Shape));
        return (samples, maxima);
    }
}
