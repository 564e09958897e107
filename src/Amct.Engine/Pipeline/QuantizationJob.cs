using System.Diagnostics;
using Amct.Engine.Calibration;
using Amct.Engine.ControlFlow;
using Amct.Engine.Data;
using Amct.Engine.Evaluation;
using Amct.Engine.Formats;
using Amct.Engine.Graph;
using Amct.Engine.Onnx;
using Amct.Engine.Quantization;
using Google.Protobuf;

namespace Amct.Engine.Pipeline;

/// <summary>The files a quantization wrote, and its report.</summary>
public sealed record QuantizeResult(string QuantizedModel, string RecordFile, string ReportFile, QuantReport Report);

/// <summary>
/// The one entry point for quantizing a model: load → prepare (names, opset 13, Conv+BN folding) → plan → calibrate
/// (or read factors from a record) → factors → int8 weights → QDQ model → outputs (model, AMCT record, report), each
/// written atomically. Optionally evaluates the result against the float model.
/// </summary>
public static class QuantizationJob
{
    public const int DefaultBatchSize = 16;

    public static QuantizeResult Run(QuantizeRequest request, IJobLog log)
    {
        var total = Stopwatch.StartNew();
        var stage = Stopwatch.StartNew();
        var modelPath = Path.GetFullPath(request.ModelPath);
        var config = request.ConfigFile is { } configFile ? QuantConfigReader.Read(configFile) : null;
        var settings = JobSettings.Resolve(request, config);

        var model = ModelLoader.Load(modelPath);
        var original = model.Clone();
        var loadSeconds = Lap(stage);

        var preparation = GraphPreparation.Prepare(model, new GraphPreparationOptions
        {
            FoldBatchNormalization = settings.DoFusion,
            SkipFusionLayers = settings.SkipFusionLayers,
        }, modelPath);
        var gemmScalesFolded = GemmScaling.Fold(model.Graph, modelPath);
        var plan = PlanBuilder.Plan(model.Graph, settings.PlanOptions(model.Graph));
        foreach (var unknown in settings.UnknownLayerNames(model.Graph))
        {
            log.Warning(ErrorCodes.UnknownLayerSetting, request.ConfigFile ?? modelPath,
                $"'{unknown}' names no layer of the model; the setting has no effect. Run 'amct inspect' to list the layers.");
        }
        var prepareSeconds = Lap(stage);

        var outputName = request.OutputName ?? Path.GetFileNameWithoutExtension(modelPath);
        var outputDirectory = Path.GetFullPath(request.OutputDirectory);
        var paths = (Model: Path.Combine(outputDirectory, outputName + ".int8.onnx"),
            Record: Path.Combine(outputDirectory, outputName + ".record.txt"),
            Report: Path.Combine(outputDirectory, outputName + ".quant.json"),
            HumanReport: Path.Combine(outputDirectory, outputName + ".quant.md"));

        var nothingToQuantize = plan.Layers.Count == 0 && plan.QuantizedTensors.Count == 0
            && !SubgraphQuantization.HoldsWeightedLayers(model.Graph);
        if (nothingToQuantize)
        {
            log.Warning(ErrorCodes.NothingToQuantize, modelPath,
                "the model has no layer that can be quantized (Conv, ConvTranspose, Gemm or MatMul with a constant " +
                "weight, or all are skipped); it is written unchanged.");
        }

        var inputs = ModelInput.Of(model);
        // Data options from the request (CLI, MSBuild) win over the AMCT config's "preprocess" object.
        var dataOptions = request.DataOptions ?? config?.Preprocess ?? SampleSourceOptions.Default;
        var batchSize = SampleBatches.ChooseBatchSize(inputs, settings.BatchSize);
        IReadOnlyList<TensorFactors> factors;
        CalibrationInfo calibrationInfo;
        if (request.RecordInput is { } recordPath)
        {
            factors = RecordFactors.FromRecord(plan, RecordReader.Read(recordPath), recordPath);
            calibrationInfo = new CalibrationInfo(null, 0, "record " + Path.GetFullPath(recordPath));
        }
        else if (plan.ObservedTensors.Count == 0)
        {
            factors = [];
            calibrationInfo = new CalibrationInfo(request.CalibrationData, 0, "none needed");
        }
        else
        {
            var dataPath = request.CalibrationData ?? throw new AmctException(ErrorCodes.MissingSetting, modelPath,
                "no calibration data given. Pass the samples to calibrate on (--calibration-data, or CalibrationData " +
                "metadata), or a record file with the factors (--record).");
            var calibration = Calibrate(model, plan, settings, inputs, batchSize, dataPath, dataOptions, log);
            factors = ActivationFactors.Compute(plan, calibration.Observations, settings.MethodFor, settings.Activation);
            calibrationInfo = new CalibrationInfo(Path.GetFullPath(dataPath), calibration.Samples, "calibration");
        }
        var calibrateSeconds = Lap(stage);

        var weights = LayerWeights.Quantize(model.Graph, plan, modelPath, request.WeightBits);
        var parameters = factors.ToDictionary(f => f.Tensor, f => f.Params, StringComparer.Ordinal);
        // With nothing to quantize the user's model is written as it was, not the prepared copy.
        var quantized = nothingToQuantize ? original : QdqModelBuilder.Build(model, plan, parameters, weights, modelPath,
            request.SignedActivationStorage);
        // Layers inside If branches, calibrated on the values that reach them (not with factors from a record).
        var subgraphs = !nothingToQuantize && request.RecordInput is null && request.CalibrationData is { } subgraphData
            && SubgraphQuantization.HoldsWeightedLayers(model.Graph)
            ? SubgraphQuantization.Apply(model, quantized,
                new SubgraphOptions(settings.PlanOptions, settings.MethodFor, settings.Activation, settings.NeedsHistograms,
                    request.WeightBits, request.SignedActivationStorage),
                ReadBatches(subgraphData, inputs, batchSize, settings.SampleCount, dataOptions), modelPath)
            : SubgraphOutcome.None;
        var quantizeSeconds = Lap(stage);

        // Evaluate, gate and fall back before anything is written: a model that fails the gate never lands on disk.
        var inSample = request.EvaluationData is null;
        var checkedModel = nothingToQuantize
            ? new GateOutcome(quantized, plan, factors, null, null, null, 0)
            : EvaluateAndGate(request, settings, model, quantized, plan, factors, weights, inputs, batchSize, dataOptions, modelPath, log);
        (quantized, plan, factors) = (checkedModel.Quantized, checkedModel.Plan, checkedModel.Factors);
        parameters = factors.ToDictionary(f => f.Tensor, f => f.Params, StringComparer.Ordinal);
        var (evaluation, gate, fallback, fallbackSeconds) = (checkedModel.Evaluation, checkedModel.Gate, checkedModel.Fallback, checkedModel.FallbackSeconds);
        var evaluateSeconds = Math.Round(Lap(stage) - fallbackSeconds, 3);

        var report = new QuantReport
        {
            Tool = new ToolInfo("amct", ToolVersion),
            Model = new ModelFiles(modelPath, paths.Model, paths.Record, new FileInfo(modelPath).Length, quantized.CalculateSize()),
            Settings = settings.ToReport(batchSize, request),
            Preparation = new PreparationInfo(preparation.UpgradedFromOpset,
                preparation.FoldedBatchNormalizations.Select(f => $"{f.BatchNormalization} into {f.Convolution}").ToList(),
                preparation.RenamedNodeCount, preparation.RemovedNodes.Count, gemmScalesFolded),
            Calibration = calibrationInfo,
            Layers = ReportBuilder.Layers(plan, parameters, weights)
                .Concat(subgraphs.Quantized.SelectMany(q => ReportBuilder.Layers(q.Plan, q.Parameters, q.Weights))).ToList(),
            Tensors = ReportBuilder.Tensors(factors).Concat(subgraphs.Quantized.SelectMany(q => ReportBuilder.Tensors(q.Factors))).ToList(),
            Skipped = plan.Skipped.Concat(subgraphs.KeptFloat).Select(s => new SkippedReport(s.Name, s.OpType, s.Reason)).ToList(),
            FoldedActivations = plan.Folds.Select(f => new FoldReport(f.Node, f.OpType, f.ProducerOutput)).ToList(),
            Evaluation = evaluation,
            EvaluationInSample = evaluation is not null && inSample,
            Gate = gate,
            Fallback = fallback,
            HumanReport = paths.HumanReport,
            Timings = new Timings(loadSeconds, prepareSeconds, calibrateSeconds, quantizeSeconds, 0, evaluateSeconds,
                Math.Round(fallbackSeconds, 3), 0),
        };

        var keepOutputs = gate is not { Passed: false } || request.AccuracyFailureIsWarning;
        if (keepOutputs)
        {
            ModelSaver.Save(quantized, paths.Model);
            RecordWriter.Write(paths.Record, RecordFactors.ToRecord(plan, factors, weights)
                .Concat(subgraphs.Quantized.SelectMany(q => RecordFactors.ToRecord(q.Plan, q.Factors, q.Weights))).ToList());
        }
        else
        {
            // A failed gate leaves no model or record a later build could take as up to date.
            foreach (var stale in new[] { paths.Model, paths.Record }.Where(File.Exists))
            {
                File.Delete(stale);
            }
        }
        report = report with
        {
            Model = keepOutputs ? report.Model with { OutputBytes = new FileInfo(paths.Model).Length } : report.Model,
            Timings = report.Timings with { WriteSeconds = Lap(stage), TotalSeconds = Math.Round(total.Elapsed.TotalSeconds, 3) },
        };
        report.Write(paths.Report);
        MarkdownReport.Write(paths.HumanReport, report);

        if (gate is { Passed: false })
        {
            ReportGateFailure(gate, fallback, modelPath, paths.HumanReport, request.AccuracyFailureIsWarning, log);
        }
        return new QuantizeResult(paths.Model, paths.Record, paths.Report, report);
    }

    /// <summary>What evaluation, the gate and the fallback decided: the model to keep (maybe with layers in float).</summary>
    private sealed record GateOutcome(ModelProto Quantized, QuantizationPlan Plan, IReadOnlyList<TensorFactors> Factors,
        EvaluationResult? Evaluation, GateReport? Gate, FallbackReport? Fallback, double FallbackSeconds);

    /// <summary>
    /// Compares the quantized model with the float one (on the evaluation data, else in-sample on the calibration
    /// data), checks the gate, and when it fails and the fallback is on, keeps the most sensitive layers in float.
    /// </summary>
    private static GateOutcome EvaluateAndGate(QuantizeRequest request, JobSettings settings, ModelProto model,
        ModelProto quantized, QuantizationPlan plan, IReadOnlyList<TensorFactors> factors,
        IReadOnlyDictionary<string, QuantizedWeights> weights, IReadOnlyList<ModelInput> inputs, int batchSize,
        SampleSourceOptions dataOptions, string modelPath, IJobLog log)
    {
        var evaluationData = request.EvaluationData ?? request.CalibrationData;
        if (request.SkipEvaluation || evaluationData is null)
        {
            return new GateOutcome(quantized, plan, factors, null, null, null, 0);
        }
        if (request.Gate.NeedsLabels && request.EvaluationLabels is null)
        {
            throw new AmctException(ErrorCodes.AccuracyNeedsLabels, modelPath,
                "accuracy thresholds (MinAccuracy, MaxAccuracyDrop, MaxRelativeAccuracyDrop) need evaluation labels. " +
                "Give EvaluationLabels (--evaluation-labels), or use label-free thresholds such as MinTop1Agreement.");
        }
        using var evaluator = new JobEvaluator(modelPath, inputs, batchSize, evaluationData, request.EvaluationLabels, dataOptions);
        log.Info(request.EvaluationData is null
            ? $"evaluating on the calibration data (in-sample): {evaluationData}"
            : $"evaluating on {evaluationData}");
        var evaluation = evaluator.Full(quantized);
        var verdict = AccuracyGate.Check(evaluation, request.Gate);
        FallbackReport? fallback = null;
        var watch = Stopwatch.StartNew();

        if (!verdict.Passed && (request.AutoFallback ?? request.Gate.Any) && plan.Layers.Count > 0)
        {
            var rebuild = new Rebuilder(model, settings, factors, weights, modelPath, request.SignedActivationStorage);
            var cap = request.MaxFallbackLayers ?? Math.Max(1, (plan.Layers.Count + 1) / 2);
            log.Info($"the gate fails ({verdict.Failures[0].Message}); ranking {plan.Layers.Count} layers for fallback");
            var rankingSamples = JobEvaluator.WorstSamples(evaluation, 32);
            var fullPlan = plan;
            fallback = FallbackSearch.Run(
                plan.Layers.Select(l => (l.Name, l.OpType)).ToList(),
                layer => evaluator.OnSubset(rebuild.OnlyLayer(layer, fullPlan), rankingSamples),
                reverted =>
                {
                    var candidate = evaluator.Full(rebuild.Reverting(reverted).Model);
                    return (candidate, AccuracyGate.Check(candidate, request.Gate));
                },
                cap,
                log);
            if (fallback.Passed)
            {
                (quantized, plan, factors) = rebuild.Reverting(fallback.Reverted);
                evaluation = evaluator.Full(quantized);
                verdict = AccuracyGate.Check(evaluation, request.Gate);
            }
        }
        if (!request.Gate.Any && evaluation.Outputs.FirstOrDefault(o => o.CosineMean < AccuracyGate.AdvisoryCosine) is { } poor)
        {
            log.Warning(ErrorCodes.CosineBelowAdvisory, modelPath,
                $"output '{poor.Output}': mean cosine similarity with the float model is {poor.CosineMean:0.0000}, below " +
                $"{AccuracyGate.AdvisoryCosine}. Check the report's layer table; set a threshold to fall back sensitive layers automatically.");
        }
        var gate = new GateReport(request.Gate, verdict.Passed, request.AccuracyFailureIsWarning, verdict.Failures);
        return new GateOutcome(quantized, plan, factors, evaluation, gate, fallback,
            fallback is null ? 0 : Math.Round(watch.Elapsed.TotalSeconds, 3));
    }

    private static void ReportGateFailure(GateReport gate, FallbackReport? fallback, string modelPath, string humanReport,
        bool asWarning, IJobLog log)
    {
        if (asWarning)
        {
            foreach (var failure in gate.Failures)
            {
                log.Warning(failure.Code, modelPath, failure.Message + ". The outputs were kept (AccuracyFailureIsWarning).");
            }
            return;
        }
        // The best step by the metric that failed first (a step's other metrics may be equal across steps).
        var code = gate.Failures[0].Code;
        Func<FallbackStep, double> value = code switch
        {
            ErrorCodes.Top1AgreementTooLow => s => s.Top1Agreement ?? 0,
            ErrorCodes.CosineSimilarityTooLow => s => s.CosineMean,
            ErrorCodes.SqnrTooLow => s => s.SqnrDb,
            _ => s => s.Top1 ?? 0,
        };
        var best = fallback?.Steps.OrderByDescending(value).ThenBy(s => s.RevertedCount).FirstOrDefault();
        var bestText = best is null ? ""
            : $" The fallback tried up to {fallback!.Steps.Max(s => s.RevertedCount)} float layers; the best reached was " +
              (code switch
              {
                  ErrorCodes.Top1AgreementTooLow => $"top-1 agreement {best.Top1Agreement:P2}",
                  ErrorCodes.CosineSimilarityTooLow => $"cosine {best.CosineMean:0.0000}",
                  ErrorCodes.SqnrTooLow => $"SQNR {best.SqnrDb:0.00} dB",
                  _ => $"top-1 {best.Top1:P2}",
              }) + $" with {best.RevertedCount} float layers.";
        throw new AmctException(fallback is { Passed: false } ? ErrorCodes.FallbackExhausted : gate.Failures[0].Code, modelPath,
            string.Join("; ", gate.Failures.Select(f => f.Message)) + "." + bestText +
            $" Raise MaxFallbackLayers, relax the threshold, or skip sensitive layers. Details: {humanReport}");
    }

    public static string ToolVersion { get; } =
        typeof(QuantizationJob).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    private static CalibrationResult Calibrate(ModelProto model, QuantizationPlan plan, JobSettings settings,
        IReadOnlyList<ModelInput> inputs, int batchSize, string dataPath, SampleSourceOptions dataOptions, IJobLog log)
    {
        using var source = SampleSources.Open(dataPath, inputs, dataOptions);
        if (source is Data.Images.ImageSampleSource images)
        {
            log.Info($"image preprocessing: {images.Pipeline.Describe()}");
        }
        var wanted = settings.SampleCount ?? source.Count;
        if (wanted > source.Count)
        {
            log.Warning(ErrorCodes.TooFewSamples, Path.GetFullPath(dataPath),
                $"{wanted} calibration samples were asked for but the data holds {source.Count}; calibrating on {source.Count}.");
            wanted = source.Count;
        }
        var unused = SampleBatches.UnusedSamples(source, inputs, batchSize, wanted);
        if (unused > 0)
        {
            log.Warning(ErrorCodes.TooFewSamples, Path.GetFullPath(dataPath),
                $"the model's fixed batch size is {batchSize}; the last {unused} samples do not fill a batch and are not used.");
        }
        var total = wanted - unused;
        log.Info($"calibrating on {total} samples from {dataPath} (batch {batchSize}, {plan.ObservedTensors.Count} tensors, method {settings.MethodName})");
        var batches = SampleBatches.Read(source, inputs, batchSize, wanted).Select(b => b.Inputs);
        return Calibrator.Run(model, plan.ObservedTensors, settings.NeedsHistograms, batches, Path.GetFullPath(dataPath),
            done => log.Progress("calibrating samples", done, total));
    }

    /// <summary>The calibration samples in batches, read again (for the values that reach subgraphs).</summary>
    private static IEnumerable<IReadOnlyDictionary<string, TensorProto>> ReadBatches(string dataPath, IReadOnlyList<ModelInput> inputs,
        int batchSize, long? sampleCount, SampleSourceOptions dataOptions)
    {
        using var source = SampleSources.Open(dataPath, inputs, dataOptions);
        foreach (var batch in SampleBatches.Read(source, inputs, batchSize, sampleCount ?? source.Count))
        {
            yield return batch.Inputs;
        }
    }

    private static double Lap(Stopwatch stopwatch)
    {
        var seconds = stopwatch.Elapsed.TotalSeconds;
        stopwatch.Restart();
        return Math.Round(seconds, 3);
    }
}
