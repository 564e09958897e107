using Amct.Engine.Calibration;
using Amct.Engine.Quantization;
using Amct.Engine.Quantization.OutputError;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// Output-aware activation ranges (CalibrationMethod=auto): for each group of tensors sharing factors that a weighted
/// layer reads, every range method's clip is a candidate, and the one that causes the least squared error at the
/// output of the layers reading it — their int8 weights included, and after bias correction's shift when that is on —
/// replaces the calibrated one. All candidates of all layers are measured in one ONNX Runtime pass over the
/// calibration data (<see cref="LayerProbe"/>). Tensors no weighted layer reads keep auto's first candidate, IFMR's.
/// </summary>
internal sealed class OutputAwareRangesStage() : JobStage("output-aware ranges", StageTiming.Calibrate)
{
    public override void Run(JobContext context)
    {
        if (context.Observations is not { } observations || context.NothingToQuantize ||
            context.Request.CalibrationData is not { } dataPath)
        {
            return;
        }
        var (plan, settings) = (context.Plan, context.Settings);
        var choices = new List<(int Group, IReadOnlyList<RangeCandidate> Candidates, List<WeightedLayer> Readers)>();
        var folds = FoldedActivations(context);
        var variants = new List<LayerVariant>();
        for (var g = 0; g < plan.Groups.Count; g++)
        {
            var members = plan.Groups[g];
            if (!members.Any(m => observations.ContainsKey(m) && settings.MethodFor(m) is OutputAwareMethod))
            {
                continue;
            }
            var readers = plan.Layers.Where(l => members.Contains(l.ActivationInput)).ToList();
            var candidates = RangeCandidates.For(members, observations, OutputAwareMethod.Candidates, settings.Activation);
            if (readers.Count == 0 || candidates.Count < 2)
            {
                continue;
            }
            choices.Add((g, candidates, readers));
            variants.AddRange(candidates.SelectMany(c => readers.Select(r => new LayerVariant(r, c.Params, folds.GetValueOrDefault(r.Name)))));
        }
        if (choices.Count == 0)
        {
            return;
        }
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var errors = CalibrationSamples.With(context, dataPath, batches =>
            LayerProbe.Measure(context.Model, variants, context.Weights, batches, Path.GetFullPath(dataPath)));
        var factors = context.Factors.ToList();
        var next = 0;
        var changed = 0;
        foreach (var (group, candidates, readers) in choices)
        {
            var perCandidate = candidates.Select(_ => readers.Select(_ => errors[next++]).ToList()).ToList();
            var best = RangeCandidates.Best(perCandidate.Select(e => e.Select((error, r) => Cost(context, readers[r], error)).Sum()).ToList());
            for (var r = 0; r < readers.Count; r++)
            {
                // Bias correction reuses the measurement; it corrects before the activation, so it gets the error there.
                context.MeasuredLayers[readers[r].Name] = (candidates[best].Params, perCandidate[best][r].Unactivated ?? perCandidate[best][r]);
            }
            if (best == 0)
            {
                continue;
            }
            changed++;
            var chosen = candidates[best];
            for (var i = 0; i < factors.Count; i++)
            {
                if (factors[i].Group == group)
                {
                    factors[i] = WithRange(factors[i], chosen, observations);
                }
            }
        }
        context.Factors = factors;
        context.CalibratedFactors = factors;
        context.Log.Info($"output-aware ranges: {choices.Count} tensor groups measured at their readers' outputs, {changed} given another method's clip ({variants.Count} layer variants measured in {watch.Elapsed.TotalSeconds:0.0} s)");
    }

    /// <summary>
    /// Per layer, the activation folded into its quantized output (a Relu or Relu6 the int8 model no longer runs, its
    /// clip done by the output's quantizer): the probe measures the layer's error after it.
    /// </summary>
    private static Dictionary<string, string> FoldedActivations(JobContext context)
    {
        var producers = context.Model.Graph.Node.Where(n => n.Output.Count > 0)
            .GroupBy(n => n.Output[0], StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Name, StringComparer.Ordinal);
        return context.Plan.Folds.Where(f => producers.ContainsKey(f.ProducerOutput))
            .ToDictionary(f => producers[f.ProducerOutput], f => f.Node, StringComparer.Ordinal);
    }

    /// <summary>
    /// A layer's output error; with bias correction on, what is left once its mean shift is removed. A shift measured
    /// after a folded activation is not what bias correction removes (it corrects before the activation), so there
    /// the plain error counts.
    /// </summary>
    private static double Cost(JobContext context, WeightedLayer layer, LayerOutputError error) =>
        context.Request.BiasCorrection && layer.Bias is not null && error.Unactivated is null ? error.SquaredErrorAfterShift() : error.SquaredError;

    private static TensorFactors WithRange(TensorFactors factors, RangeCandidate chosen,
        IReadOnlyDictionary<string, TensorObservation> observations) => factors with
    {
        Algorithm = $"{OutputAwareMethod.MethodName} ({chosen.Method})",
        ClipMin = chosen.Range.Min,
        ClipMax = chosen.Range.Max,
        Params = chosen.Params,
        SqnrDb = observations.GetValueOrDefault(factors.Tensor)?.Histogram is { HasRange: true } histogram
            ? Sqnr.Db(HistogramMath.SquaredSum(histogram), HistogramMath.SquaredError(histogram, chosen.Params))
            : null,
    };
}
