using System.Diagnostics;
using System.Globalization;
using Amct.Engine.Calibration;
using Amct.Engine.Formats;
using Amct.Engine.Quantization;
using Amct.Engine.Quantization.Balancing;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// DMQ balancing (<c>DmqBalancing</c>, an AMCT config's <c>dmq_balancer_param</c>, or a record's
/// <c>tensor_balance_factor</c>), before the factors are computed: the float graph is rewritten so that the layers'
/// inputs are divided per channel by s and their weights multiplied by it (<see cref="DmqBalancer"/>), and the plan is
/// made again over it, so calibration, weights, the fallback and the record all see the balanced model. The factors
/// come from one pass over the calibration data that reads only the balanced layers' inputs, per channel.
/// </summary>
internal sealed class BalanceStage() : JobStage("balance", StageTiming.Calibrate)
{
    public override void Run(JobContext context)
    {
        if (context.TrainedFactors is not null || context.NothingToQuantize)
        {
            return; // a QAT import keeps its trained factors, which belong to the model as exported
        }
        var balanced = context.Record is { } record
            ? FromRecord(context, record)
            : context.Request.CalibrationData is { } dataPath ? Calibrated(context, dataPath) : [];
        if (balanced.Count == 0)
        {
            return;
        }
        context.Balanced = balanced;
        var graph = context.Model.Graph;
        context.Settings.BalanceNodes = balanced.Where(b => b.InsertedNode is not null).Select(b => b.InsertedNode!)
            .ToHashSet(StringComparer.Ordinal);
        context.Plan = PlanBuilder.Plan(graph, context.Settings.PlanOptions(graph));
        foreach (var tensor in balanced)
        {
            var factors = tensor.Factors;
            context.Log.Info(string.Create(CultureInfo.InvariantCulture,
                $"DMQ: '{tensor.Tensor}' balanced for {string.Join(", ", tensor.Layers.Select(l => $"'{l}'"))} " +
                $"(factors {factors.Min():G3}–{factors.Max():G3} over {factors.Count} channels), {tensor.Placement}"));
        }
    }

    private static List<BalancedTensor> Calibrated(JobContext context, string dataPath)
    {
        var graph = context.Model.Graph;
        var targets = DmqBalancer.Targets(graph, context.Plan, context.Settings.BalanceStrengths(graph));
        if (targets.Count == 0)
        {
            return [];
        }
        var stopwatch = Stopwatch.StartNew();
        var maxima = CalibrationSamples.Read(context, dataPath, quiet: true, (batches, _) =>
            ChannelMaxima.Observe(context.Model, targets.Select(t => (t.Tensor, t.Axis)).ToList(), batches,
                Path.GetFullPath(dataPath)).Maxima);
        var balanced = new List<BalancedTensor>();
        foreach (var (target, observed) in targets.Zip(maxima))
        {
            if (observed.Max.Length != target.Channels || (!target.Forced && !BalanceFactors.IsDominated(observed.Max)))
            {
                continue;
            }
            var factors = BalanceFactors.Compute(observed.Max, DmqBalancer.WeightMaxima(graph, target), target.Strength);
            balanced.Add(DmqBalancer.Apply(graph, target with { Rank = observed.Rank }, factors));
        }
        context.Log.Info(string.Create(CultureInfo.InvariantCulture,
            $"DMQ: channel ranges of {targets.Count} layer inputs read in {stopwatch.Elapsed.TotalSeconds:F1} s; {balanced.Count} balanced"));
        return balanced;
    }

    /// <summary>
    /// A record's <c>tensor_balance_factor</c>: its scale_d and scale_w belong to the balanced model, so the model is
    /// balanced by those factors before they are applied. Layers sharing an input must carry the same factors, one per
    /// input channel.
    /// </summary>
    private static List<BalancedTensor> FromRecord(JobContext context, IReadOnlyList<LayerRecord> record)
    {
        var byLayer = record.Where(r => r.TensorBalanceFactor.Count > 0)
            .GroupBy(r => r.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().TensorBalanceFactor, StringComparer.Ordinal);
        if (byLayer.Count == 0)
        {
            return [];
        }
        var graph = context.Model.Graph;
        var recordPath = Path.GetFullPath(context.Request.RecordInput!);
        var targets = DmqBalancer.Targets(graph, context.Plan, layer => byLayer.ContainsKey(layer) ? (BalanceFactors.DefaultStrength, true) : null);
        var unplaced = byLayer.Keys.Except(targets.SelectMany(t => t.Layers).Select(l => l.Name)).FirstOrDefault();
        if (unplaced is not null)
        {
            throw new AmctException(ErrorCodes.RecordBalanceNotApplicable, recordPath,
                $"record '{unplaced}' holds tensor_balance_factor, but '{unplaced}' is not a quantized MatMul, Gemm or " +
                "ungrouped Conv with a constant weight, the layers DMQ balancing applies to. Remove its tensor_balance_factor.");
        }
        var balanced = new List<BalancedTensor>();
        foreach (var target in targets)
        {
            balanced.Add(DmqBalancer.Apply(graph, target, RecordFactorsOf(target, byLayer, recordPath)));
        }
        return balanced;
    }

    private static IReadOnlyList<float> RecordFactorsOf(BalanceTarget target, Dictionary<string, IReadOnlyList<float>> byLayer, string recordPath)
    {
        var first = target.Layers[0].Name;
        var factors = byLayer[first];
        if (factors.Count != target.Channels)
        {
            throw new AmctException(ErrorCodes.RecordBalanceNotApplicable, recordPath,
                $"record '{first}' holds {factors.Count} tensor_balance_factor values, but the layer's input has " +
                $"{target.Channels} channels; give one factor per input channel.");
        }
        if (target.Layers.Skip(1).FirstOrDefault(l => !byLayer[l.Name].SequenceEqual(factors)) is { } other)
        {
            throw new AmctException(ErrorCodes.RecordBalanceNotApplicable, recordPath,
                $"records '{first}' and '{other.Name}' read the same input '{target.Tensor}' but hold different " +
                "tensor_balance_factor values (or only one holds them); layers sharing an input are balanced together. " +
                "Give both the same factors.");
        }
        return factors;
    }
}
