using System.Diagnostics;
using Amct.Engine.Calibration;
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
            Report: Path.Combine(outputDirectory, outputName + ".quant.json"));

        if (plan.Layers.Count == 0 && plan.QuantizedTensors.Count == 0)
        {
            log.Warning(ErrorCodes.NothingToQuantize, modelPath,
                "the model has no layer that can be quantized (Conv, ConvTranspose, Gemm or MatMul with a constant " +
                "weight, or all are skipped); it is written unchanged.");
        }

        var inputs = ModelInput.Of(model);
        var dataOptions = request.DataOptions ?? SampleSourceOptions.Default;
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

        var weights = LayerWeights.Quantize(model.Graph, plan, modelPath);
        var parameters = factors.ToDictionary(f => f.Tensor, f => f.Params, StringComparer.Ordinal);
        var quantized = QdqModelBuilder.Build(model, plan, parameters, weights, modelPath);
        var quantizeSeconds = Lap(stage);

        ModelSaver.Save(quantized, paths.Model);
        RecordWriter.Write(paths.Record, RecordFactors.ToRecord(plan, factors, weights));
        var writeSeconds = Lap(stage);

        EvaluationResult? evaluation = null;
        if (request.EvaluationData is { } evaluationPath)
        {
            log.Info($"evaluating on {evaluationPath}");
            evaluation = Evaluate(modelPath, quantized, inputs, batchSize, evaluationPath, request.EvaluationLabels, dataOptions);
        }
        var evaluateSeconds = Lap(stage);

        var report = new QuantReport
        {
            Tool = new ToolInfo("amct", ToolVersion),
            Model = new ModelFiles(modelPath, paths.Model, paths.Record, new FileInfo(modelPath).Length, new FileInfo(paths.Model).Length),
            Settings = settings.ToReport(batchSize, request),
            Preparation = new PreparationInfo(preparation.UpgradedFromOpset,
                preparation.FoldedBatchNormalizations.Select(f => $"{f.BatchNormalization} into {f.Convolution}").ToList(),
                preparation.RenamedNodeCount, preparation.RemovedNodes.Count, gemmScalesFolded),
            Calibration = calibrationInfo,
            Layers = ReportBuilder.Layers(plan, parameters, weights),
            Tensors = ReportBuilder.Tensors(factors),
            Skipped = plan.Skipped.Select(s => new SkippedReport(s.Name, s.OpType, s.Reason)).ToList(),
            FoldedActivations = plan.Folds.Select(f => new FoldReport(f.Node, f.OpType, f.ProducerOutput)).ToList(),
            Evaluation = evaluation,
            Timings = new Timings(loadSeconds, prepareSeconds, calibrateSeconds, quantizeSeconds, writeSeconds,
                evaluateSeconds, total.Elapsed.TotalSeconds),
        };
        report.Write(paths.Report);
        return new QuantizeResult(paths.Model, paths.Record, paths.Report, report);
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
            done => log.Progress("calibrating", done, total));
    }

    /// <summary>Compares the quantized model with the user's original float file (not the prepared copy).</summary>
    private static EvaluationResult Evaluate(string floatModelPath, ModelProto quantized, IReadOnlyList<ModelInput> inputs,
        int batchSize, string dataPath, string? labelsPath, SampleSourceOptions dataOptions)
    {
        using var source = SampleSources.Open(dataPath, inputs, dataOptions);
        var labels = labelsPath is null ? null : Labels.Read(labelsPath, source);
        var batches = SampleBatches.Read(source, inputs, batchSize).Select(b => new InputBatch(b.Inputs, b.Count));
        return ModelEvaluator.Compare(floatModelPath, quantized, batches, labels);
    }

    private static double Lap(Stopwatch stopwatch)
    {
        var seconds = stopwatch.Elapsed.TotalSeconds;
        stopwatch.Restart();
        return Math.Round(seconds, 3);
    }
}
