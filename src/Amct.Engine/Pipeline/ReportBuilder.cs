using Amct.Engine.Formats;
using Amct.Engine.Onnx;
using Amct.Engine.Quantization;

namespace Amct.Engine.Pipeline;

/// <summary>Turns what a job found into its report: plan, factors and weights into the layer and tensor tables.</summary>
internal static class ReportBuilder
{
    /// <summary>The report of the job so far; its timings cover every stage run until now.</summary>
    public static QuantReport Report(JobContext context)
    {
        var (request, plan, factors, preparation) = (context.Request, context.Plan, context.Factors, context.Preparation);
        var (outputs, subgraphs) = (context.Outputs, context.Subgraphs);
        return new QuantReport
        {
            Tool = new ToolInfo("amct", QuantizationJob.ToolVersion),
            Model = new ModelFiles(context.ModelPath, outputs.Model, outputs.Record, new FileInfo(context.ModelPath).Length,
                context.Quantized.CalculateSize()),
            Settings = context.Settings.ToReport(context.BatchSize, request),
            Preparation = new PreparationInfo(preparation.UpgradedFromOpset,
                preparation.FoldedBatchNormalizations.Select(f => $"{f.BatchNormalization} into {f.Convolution}").ToList(),
                preparation.RenamedNodeCount, preparation.RemovedNodes.Count, context.GemmScalesFolded)
            {
                KeptOpset = preparation.Opset.Kept,
                KeptOpsetBecause = preparation.Opset.KeptBecause,
            },
            Calibration = context.CalibrationInfo,
            Import = context.Import is { } import
                ? new ImportReport(import.Pairs, request.FloatModel is { } floatModel ? "the float model " + Path.GetFullPath(floatModel)
                    : "the export run as written (its fake quantization)", context.ImportChanges)
                : null,
            Layers = Layers(plan, context.Parameters(), context.Weights)
                .Concat(subgraphs.Quantized.SelectMany(q => Layers(q.Plan, q.Parameters, q.Weights))).ToList(),
            Tensors = Tensors(factors).Concat(subgraphs.Quantized.SelectMany(q => Tensors(q.Factors))).ToList(),
            Skipped = plan.Skipped.Concat(subgraphs.KeptFloat).Select(s => new SkippedReport(s.Name, s.OpType, s.Reason)).ToList(),
            WeightOnly = WeightOnly(plan.WeightOnly.Concat(subgraphs.Quantized.SelectMany(q => q.Plan.WeightOnly)).ToList()),
            FoldedActivations = plan.Folds.Select(f => new FoldReport(f.Node, f.OpType, f.ProducerOutput)).ToList(),
            Balanced = context.Balanced.Count == 0 ? null : context.Balanced
                .Select(b => new BalanceReport(b.Tensor, b.Layers, b.Factors.Count, b.Factors.Min(), b.Factors.Max(), b.Placement)).ToList(),
            WeightRounding = context.WeightRounding,
            BiasCorrection = context.BiasCorrection,
            Evaluation = context.Evaluation,
            EvaluationInSample = context.Evaluation is not null && request.EvaluationData is null,
            Gate = context.Gate,
            Fallback = context.Fallback,
            SpeedChoice = context.SpeedChoice,
            Retraining = context.Retraining,
            Latency = context.Latency,
            LayerErrors = context.LayerErrors,
            HumanReport = outputs.HumanReport,
            HtmlReport = outputs.HtmlReport,
            Timings = context.Timings.ToReport(),
        };
    }

    public static IReadOnlyList<LayerReport> Layers(QuantizationPlan plan, IReadOnlyDictionary<string, ActivationParams> factors,
        IReadOnlyDictionary<string, QuantizedWeights> weights) =>
        plan.Layers.Select(layer =>
        {
            // Weight-only: the input has no factors.
            ActivationParams? input = factors.TryGetValue(layer.ActivationInput, out var found) ? found : null;
            var w = weights[layer.Name];
            return new LayerReport(layer.Name, layer.OpType, layer.ActivationInput, input?.Scale, input?.Offset,
                w.Axis is null ? "per-tensor" : "per-channel", w.Axis, w.Scales.Length, w.Scales.Min(), w.Scales.Max(),
                Math.Round(w.SqnrDb, 3), w.ZeroChannels, layer.Bias is not null && input is not null);
        }).ToList();

    private static List<WeightOnlyReport>? WeightOnly(List<WeightOnlyLayer> layers) =>
        layers.Count == 0 ? null : layers.Select(l => new WeightOnlyReport(l.Name, l.OpType, l.Weights.Select(w => w.Tensor).ToList(),
            l.Weights.All(w => w.Axis is not null) ? "per-channel" : l.Weights.All(w => w.Axis is null) ? "per-tensor" : "mixed", l.Reason)).ToList();

    public static IReadOnlyList<TensorReport> Tensors(IReadOnlyList<TensorFactors> factors) =>
        factors.Select(f => new TensorReport(
            f.Tensor,
            f.Group,
            f.Algorithm,
            double.IsNaN(f.ObservedMin) ? null : f.ObservedMin,
            double.IsNaN(f.ObservedMax) ? null : f.ObservedMax,
            f.ClipMin,
            f.ClipMax,
            f.Params.Scale,
            f.Params.Offset,
            f.SqnrDb is { } sqnr ? Math.Round(sqnr, 3) : null)
        {
            Histogram = f.Histogram,
        }).ToList();
}
