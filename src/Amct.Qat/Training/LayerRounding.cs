using Amct.Engine.Onnx;
using Amct.Qat.Interpreter;
using TorchSharp;
using static TorchSharp.torch;

namespace Amct.Qat.Training;

/// <summary>
/// AdaRound for one weighted layer (Nagel et al., "Up or Down? Adaptive Rounding for Post-Training Quantization",
/// 2020): each weight keeps its scale and is rounded down or up, as learned. Per weight a continuous variable V gives
/// h(V) = clamp(sigmoid(V)·(ζ−γ)+γ, 0, 1) and the soft weight (floor(W/s) + h(V))·s; the loss is the squared error of
/// the layer's output against the output of its float weight on the same inputs, plus λ·Σ(1 − |2h−1|^β), which pushes
/// every h to 0 or 1 as β falls from 20 to 2 (after a warm-up without it). At the end a weight is rounded up where
/// h ≥ 0.5, i.e. V ≥ 0. The layer runs as its ONNX node (<see cref="NodeOps"/>), so any weighted op the interpreter
/// knows can be rounded.
/// </summary>
internal sealed class LayerRounding : IDisposable
{
    // The paper's constants: the stretch of the rectified sigmoid, the regularizer's weight and β schedule.
    private const double Zeta = 1.1;
    private const double Gamma = -0.1;
    private const double Lambda = 0.01;
    private const double BetaStart = 20;
    private const double BetaEnd = 2;
    private const double WarmUp = 0.2;
    private const double LearningRate = 1e-2;

    private readonly NodeProto _node;
    private readonly int _weightSlot;
    private readonly Tensor _weight;
    private readonly Tensor _scale;
    private readonly Tensor _floor;
    private readonly int _min;
    private readonly int _max;

    /// <param name="weight">The float weight (not changed).</param>
    /// <param name="scale">The weight's scales, shaped to broadcast against it (per channel or one).</param>
    public LayerRounding(NodeProto node, string weightName, Tensor weight, Tensor scale, int min, int max)
    {
        _node = node;
        _weightSlot = node.Input.IndexOf(weightName);
        _weight = weight.detach();
        _scale = scale.detach();
        _floor = (_weight / _scale).floor();
        (_min, _max) = (min, max);
    }

    /// <summary>The codes of round-to-nearest (half to even), the post-training choice.</summary>
    public Tensor NearestCodes() => (_weight / _scale).round().clamp(_min, _max);

    /// <summary>The layer's output on <paramref name="args"/> (the node's inputs; the weight's slot is ignored) with <paramref name="weight"/>.</summary>
    public Tensor Output(Tensor?[] args, Tensor weight)
    {
        var call = (Tensor?[])args.Clone();
        call[_weightSlot] = weight;
        return NodeOps.All[_node.OpType](new NodeCall(_node, call))[0];
    }

    /// <summary>The float layer's outputs on each batch of inputs: what the rounding learns to reproduce.</summary>
    public List<Tensor> Targets(IReadOnlyList<Tensor?[]> batches)
    {
        using var noGrad = no_grad();
        return batches.Select(b => Output(b, _weight).detach()).ToList();
    }

    /// <summary>Mean squared output error of <paramref name="codes"/> against <paramref name="targets"/> over all batches.</summary>
    public double Error(Tensor codes, IReadOnlyList<Tensor?[]> batches, IReadOnlyList<Tensor> targets)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var weight = codes * _scale;
        var (sum, count) = (0.0, 0L);
        for (var i = 0; i < batches.Count; i++)
        {
            // Each batch's output and error freed before the next: held for all batches they would double the cache.
            using var perBatch = NewDisposeScope();
            var error = Output(batches[i], weight) - targets[i];
            sum += error.square().sum().item<float>();
            count += error.numel();
        }
        return count == 0 ? 0 : sum / count;
    }

    /// <summary>
    /// Learns the rounding in <paramref name="steps"/> Adam steps cycling through the batches (fewer when
    /// <paramref name="stop"/> says so); returns the codes.
    /// </summary>
    public Tensor Learn(IReadOnlyList<Tensor?[]> batches, IReadOnlyList<Tensor> targets, int steps, Func<bool> stop, Action stepDone)
    {
        // V starts where h(V) equals the fractional part of W/s, so the soft weight starts at the float weight.
        var rest = ((_weight / _scale) - _floor).clamp(0, 1);
        using var v = new TorchSharp.Modules.Parameter(((Zeta - Gamma) / (rest - Gamma) - 1).log().neg().detach(), requires_grad: true);
        rest.Dispose();
        using var adam = optim.Adam([v], LearningRate);
        var warmUpSteps = (int)(steps * WarmUp);
        for (var step = 0; step < steps && !stop(); step++)
        {
            using var scope = NewDisposeScope();
            adam.zero_grad();
            var h = Soft(v);
            var batch = step % batches.Count;
            var output = Output(batches[batch], (_floor + h).clamp(_min, _max) * _scale);
            var loss = Reconstruction(output, targets[batch]);
            if (step >= warmUpSteps)
            {
                var progress = (double)(step - warmUpSteps) / Math.Max(1, steps - warmUpSteps);
                var beta = BetaEnd + ((BetaStart - BetaEnd) * (1 - progress));
                loss = loss + (Lambda * (1 - (2 * h - 1).abs().pow(beta)).sum());
            }
            loss.backward();
            adam.step();
            stepDone();
        }
        using var noGrad = no_grad();
        return (_floor + (v >= 0).to(ScalarType.Float32)).clamp(_min, _max);
    }

    public void Dispose() => _floor.Dispose();

    private static Tensor Soft(Tensor v) => (sigmoid(v) * (Zeta - Gamma) + Gamma).clamp(0, 1);

    /// <summary>Squared error summed over the channel axis (axis 1), averaged over the rest, as the paper's code does.</summary>
    private static Tensor Reconstruction(Tensor output, Tensor target)
    {
        var squared = (output - target).square();
        return squared.dim() >= 2 ? squared.sum(1).mean() : squared.mean();
    }
}
