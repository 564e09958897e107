namespace Amct.Engine.Quantization.OutputError;

/// <summary>
/// What quantizing a layer's input and weight does to its output, accumulated over batches: per output channel the
/// mean difference (quantized − float), and the squared difference summed over every element. The per-channel mean is
/// the shift empirical bias correction removes (Nagel et al. 2019); <see cref="SquaredErrorAfterShift"/> is the error
/// left once it is removed, Σ(d − μ_c)² = Σd² − Σ_c n_c·μ_c², so a choice of input range can be judged by the error it
/// leaves after bias correction without running the corrected layer.
/// </summary>
public sealed class LayerOutputError(int channels)
{
    private readonly double[] _channelSums = new double[channels];

    public int Channels => _channelSums.Length;

    /// <summary>
    /// For an error measured after an activation folded into the layer's quantized output: the same layer's error
    /// before that activation, where a bias correction acts. Null when no activation was applied.
    /// </summary>
    public LayerOutputError? Unactivated { get; private set; }

    /// <summary>This error, measured after a folded activation, with the error before it.</summary>
    public LayerOutputError WithUnactivated(LayerOutputError unactivated)
    {
        Unactivated = unactivated;
        return this;
    }

    /// <summary>Σ(quantized − float)² over every output element seen.</summary>
    public double SquaredError { get; private set; }

    /// <summary>Output elements seen per channel.</summary>
    public long ElementsPerChannel { get; private set; }

    /// <summary>Adds one batch: its squared error, its per-channel mean differences and its output shape.</summary>
    /// <param name="squaredError">Σ(quantized − float)² over the batch's output.</param>
    /// <param name="channelMeans">The batch's mean difference per output channel (channel axis 1).</param>
    /// <param name="outputShape">The output's shape, for how many elements each mean stands for.</param>
    public void Add(double squaredError, ReadOnlySpan<float> channelMeans, ReadOnlySpan<long> outputShape)
    {
        if (channelMeans.Length != Channels || outputShape.Length < 2 || outputShape[1] != Channels)
        {
            throw new ArgumentException($"an output of shape [{string.Join(", ", outputShape.ToArray())}] with " +
                $"{channelMeans.Length} channel means does not fit a layer of {Channels} output channels");
        }
        var perChannel = 1L;
        for (var d = 0; d < outputShape.Length; d++)
        {
            perChannel *= d == 1 ? 1 : outputShape[d];
        }
        for (var c = 0; c < Channels; c++)
        {
            _channelSums[c] += (double)channelMeans[c] * perChannel;
        }
        ElementsPerChannel += perChannel;
        SquaredError += squaredError;
    }

    /// <summary>The mean difference of each output channel: what a bias correction subtracts.</summary>
    public double[] MeanShift() =>
        _channelSums.Select(s => ElementsPerChannel == 0 ? 0 : s / ElementsPerChannel).ToArray();

    /// <summary>The squared error left when each channel's mean difference is removed (never below 0).</summary>
    public double SquaredErrorAfterShift() =>
        Math.Max(0, SquaredError - MeanShift().Sum(m => m * m * ElementsPerChannel));
}
