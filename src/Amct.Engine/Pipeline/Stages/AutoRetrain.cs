using System.Globalization;
using Amct.Engine.Evaluation;
using Amct.Engine.Quantization;
using Amct.Engine.Retraining;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// Retrain=Auto: retrain only when post-training quantization is not good enough. The post-training model is built and
/// checked against the accuracy gate (thresholds and quality floor, as <see cref="GateStage"/> checks the final one);
/// when it fails, each mode of <see cref="Ladder"/> retrains from the post-training starting point and is checked in
/// turn, and the first that passes is kept. When none passes, the candidate closest to passing goes on (to the
/// fallback search and the final gate). Retraining that cannot run here (no Amct.Build.Qat worker, no libtorch, an
/// operator the interpreter lacks) is a warning and the post-training model goes on: Auto never makes a build fail
/// that Retrain=None would pass.
/// </summary>
internal static class AutoRetrain
{
    /// <summary>The retraining modes tried in order: the cheap layer-wise one, then whole-model distillation.</summary>
    public static readonly IReadOnlyList<RetrainMode> Ladder = [RetrainMode.AdaRound, RetrainMode.Distill];

    /// <summary>Errors that mean "retraining cannot run here", as opposed to bad input.</summary>
    private static readonly HashSet<string> Unavailable = new(StringComparer.Ordinal)
    {
        ErrorCodes.RetrainUnsupportedOp, ErrorCodes.LibTorchNotFound, ErrorCodes.LibTorchLoadFailed,
        ErrorCodes.RetrainUnsupportedPlatform,
    };

    public static void Run(JobContext context, IRetrainer? retrainer)
    {
        var log = context.Log;
        if (!context.Request.Gate.Any && !context.Request.QualityFloor)
        {
            log.Info("Retrain=Auto: no accuracy gate (no threshold, QualityFloor=false), so post-training quantization is kept");
            return;
        }
        if (EvaluateStage.Evaluator(context) is not { } evaluator)
        {
            log.Info("Retrain=Auto: nothing is evaluated, so the gate cannot tell; post-training quantization is kept");
            return;
        }
        var best = Check(context, evaluator, "post-training", result: null);
        if (best.Passed)
        {
            log.Info("Retrain=Auto: post-training quantization passes the gate; no retraining");
            return;
        }
        log.Info($"Retrain=Auto: post-training quantization fails the gate ({best.Failures[0].Message})");
        if (retrainer is null)
        {
            log.Warning(ErrorCodes.RetrainNeedsQatWorker, "Retrain", "Retrain=Auto cannot retrain: " +
                RetrainStage.NeedsWorker(RetrainMode.Auto) + " Post-training quantization is kept.");
            return;
        }
        var start = (context.Factors, context.Weights);
        foreach (var mode in Ladder)
        {
            (context.Factors, context.Weights) = start;
            RetrainRun result;
            try
            {
                result = RetrainStage.Train(context, retrainer, mode);
            }
            catch (AmctException e) when (Unavailable.Contains(e.Code))
            {
                log.Warning(e.Code, e.Target, $"Retrain=Auto cannot retrain: {e.Message} Post-training quantization is kept.");
                (context.Factors, context.Weights) = start;
                return;
            }
            var candidate = Check(context, evaluator, mode.ToString(), result);
            if (candidate.Passed)
            {
                log.Info($"Retrain=Auto: {mode} passes the gate");
                Keep(context, candidate);
                return;
            }
            log.Info($"Retrain=Auto: {mode} fails the gate ({candidate.Failures[0].Message})");
            best = candidate.IsCloserThan(best) ? candidate : best;
        }
        log.Info($"Retrain=Auto: no mode passes the gate; going on with {best.Name} (mean cosine similarity " +
            $"{best.Cosine.ToString("0.0000", CultureInfo.InvariantCulture)})");
        Keep(context, best);
    }

    /// <summary>Builds the model from the result (or the job's current factors and weights) and checks the gate.</summary>
    private static Candidate Check(JobContext context, JobEvaluator evaluator, string name, RetrainRun? result)
    {
        var (factors, weights) = result is null ? (context.Factors, context.Weights) : (result.Result.Factors, result.Result.Weights);
        var parameters = factors.ToDictionary(f => f.Tensor, f => f.Params, StringComparer.Ordinal);
        var model = QdqModelBuilder.Build(context.Model, context.Plan, parameters, weights, context.ModelPath,
            context.Request.SignedActivationStorage);
        var evaluation = evaluator.Full(model);
        var failures = AccuracyGate.Check(evaluation, context.Request.Gate).Failures
            .Concat(GateStage.Floor(context, model, evaluation, kept: 0)).ToList();
        var cosine = evaluation.Outputs.Count == 0 ? 0 : evaluation.Outputs.Min(o => o.CosineMean);
        return new Candidate(name, result, factors, weights, failures, cosine);
    }

    private static void Keep(JobContext context, Candidate candidate)
    {
        if (candidate.Result is { } result)
        {
            RetrainStage.Apply(context, result);
        }
        else
        {
            (context.Factors, context.Weights) = (candidate.Factors, candidate.Weights);
        }
    }

    private sealed record Candidate(string Name, RetrainRun? Result, IReadOnlyList<TensorFactors> Factors,
        IReadOnlyDictionary<string, QuantizedWeights> Weights, IReadOnlyList<GateFailure> Failures, double Cosine)
    {
        public bool Passed => Failures.Count == 0;

        /// <summary>Fewer failed checks, then the higher worst-output cosine similarity with the float model.</summary>
        public bool IsCloserThan(Candidate other) =>
            Failures.Count != other.Failures.Count ? Failures.Count < other.Failures.Count : Cosine > other.Cosine;
    }
}
