using Amct.Engine.Data;
using Amct.Engine.Evaluation;
using Amct.Engine.Evaluation.LayerErrors;
using Amct.Engine.Onnx;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// The per-layer error along the network (LayerErrors): the model that ships, settled by the gate, the fallback and
/// the speed search, against the float model, layer by layer on the first few samples of the evaluation data (else
/// the calibration data), within a time budget. For the reports only: the model and the record do not depend on it.
/// Layers inside If branches are not compared (their outputs cannot be graph outputs), nor is an imported QAT export
/// (its float reference is another model), nor a model too large to hand to ONNX Runtime as bytes (two more sessions
/// of it would double the job's memory).
/// </summary>
internal sealed class LayerErrorStage(int maxSamples, TimeSpan budget) : JobStage("layer errors", StageTiming.Evaluate)
{
    /// <summary>A few samples show where the error enters; the full evaluation has already measured how much.</summary>
    public const int DefaultSamples = 8;

    public static readonly TimeSpan DefaultBudget = TimeSpan.FromSeconds(10);

    public LayerErrorStage()
        : this(DefaultSamples, DefaultBudget)
    {
    }

    public override void Run(JobContext context)
    {
        var request = context.Request;
        if (!request.LayerErrors || request.SkipEvaluation || context.NothingToQuantize || context.Import is not null
            || context.Plan.Layers.Count == 0 || (request.EvaluationData ?? request.CalibrationData) is not { } data
            || ModelSaver.EstimatedInlineSize(context.Model) > new ModelSaveOptions().InlineLimitBytes)
        {
            return;
        }
        var pairs = LayerOutputPairs.Find(context.Model.Graph, context.Quantized.Graph, context.Plan);
        using var source = SampleSources.Open(data, context.Inputs, context.DataOptions);
        var batchSize = SampleBatches.ChooseBatchSize(context.Inputs, maxSamples);
        var batches = SampleBatches.Read(source, context.Inputs, batchSize, maxSamples).Select(b => new InputBatch(b.Inputs, b.Count));
        context.LayerErrors = LayerErrorMeter.Measure(context.Model, context.Quantized, pairs, batches, maxSamples, budget, context.ModelPath);
        if (context.LayerErrors.Layers.OrderBy(l => l.SqnrDb).FirstOrDefault() is { } worst)
        {
            context.Log.Info($"per-layer error: {context.LayerErrors.Layers.Count} layers on {context.LayerErrors.Samples} samples; " +
                $"lowest SQNR {worst.SqnrDb:0.00} dB at '{worst.Layer}'");
        }
    }
}
