using Amct.Engine.Calibration;
using Amct.Engine.Evaluation;
using Amct.Engine.Quantization;
using Amct.Engine.Quantization.Refinement;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// Range refinement (RangeRefinement setting): the calibrated activation ranges scored at the network's outputs. Each
/// candidate is the whole int8 model — its int8 weights and corrected biases, run by ONNX Runtime with its fused
/// kernels, as it ships — compared with the float model on the calibration data; <see cref="NetworkRangeSearch"/>
/// keeps, group by group, the range scaling that raises the output SQNR. Runs after bias correction, so the biases it
/// scores with are the ones the model ships with; skipped for trained or recorded factors (nothing calibrated).
/// </summary>
internal sealed class RangeRefinementStage() : JobStage("range refinement", StageTiming.Calibrate)
{
    /// <summary>
    /// Passes over the groups. One: on SqueezeNet a second pass changed nothing and cost as much as the first.
    /// </summary>
    public const int Rounds = 1;

    /// <summary>The first batches, up to <see cref="MaxSamples"/> samples: the score's cost grows with every sample.</summary>
    private static IEnumerable<Data.SampleBatch> Scored(IEnumerable<Data.SampleBatch> batches)
    {
        var taken = 0;
        foreach (var batch in batches)
        {
            if (taken >= MaxSamples)
            {
                yield break;
            }
            taken += batch.Count;
            yield return batch;
        }
    }

    /// <summary>Most calibration samples scored (the first ones): every candidate model runs on all of them.</summary>
    public const int MaxSamples = 64;

    public override void Run(JobContext context)
    {
        var request = context.Request;
        if (!request.RangeRefinement || context.Observations is not { } observations || context.NothingToQuantize ||
            context.Import is not null || request.CalibrationData is not { } dataPath || context.Factors.Count == 0)
        {
            return;
        }
        var (factors, mode) = (context.Factors, context.Settings.Activation);
        // A group's clip is the union of its members' (as the fallback's rebuild takes it).
        var clips = factors.GroupBy(f => f.Group)
            .ToDictionary(g => g.Key, g => (Min: g.Min(f => f.ClipMin), Max: g.Max(f => f.ClipMax)));
        var groups = clips.Where(c => c.Value.Max > c.Value.Min).Select(c => c.Key).Order().ToList();
        if (groups.Count == 0)
        {
            return;
        }
        IReadOnlyList<TensorFactors> Refined(IReadOnlyDictionary<int, int> steps) => factors
            .Select(f => steps.TryGetValue(f.Group, out var step) ? Rescaled(f, clips[f.Group], step, mode, observations) : f)
            .ToList();

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var batches = CalibrationSamples.WithCounts(context, dataPath, read => Scored(read).Select(b => new InputBatch(b.Inputs, b.Count)).ToList());
        var scored = ScoredOutputs.Of(context.Model.Graph);
        using var reference = new FloatReference(context.ModelPath, model: ScoredOutputs.WithOutputs(context.Model.Clone(), scored, context.Model.Graph));
        double Score(IReadOnlyDictionary<int, int> steps)
        {
            var parameters = Refined(steps).ToDictionary(f => f.Tensor, f => f.Params, StringComparer.Ordinal);
            var model = QdqModelBuilder.Build(context.Model, context.Plan, parameters, context.Weights, context.ModelPath,
                request.SignedActivationStorage);
            ScoredOutputs.WithOutputs(model, scored, context.Model.Graph);
            return ModelEvaluator.Compare(reference, model, batches, null, context.ModelPath).Outputs.Sum(o => o.SqnrDb);
        }
        var result = NetworkRangeSearch.Run(groups, Score, Rounds);
        context.Factors = context.CalibratedFactors = Refined(result.Steps);
        context.Log.Info(FormattableString.Invariant(
            $"range refinement: {result.Steps.Count} of {groups.Count} tensor groups rescaled, output SQNR on the calibration data {result.ScoreBefore:0.00} → {result.ScoreAfter:0.00} dB ({result.Evaluations} int8 models scored in {watch.Elapsed.TotalSeconds:0.0} s)"));
    }

    /// <summary>A member of a refined group: the group's clip scaled by <see cref="NetworkRangeSearch.Ratio"/>^steps.</summary>
    private static TensorFactors Rescaled(TensorFactors factors, (double Min, double Max) clip, int steps, ActivationMode mode,
        IReadOnlyDictionary<string, TensorObservation> observations)
    {
        var scale = Math.Pow(NetworkRangeSearch.Ratio, steps);
        var parameters = ActivationParams.FromRange(clip.Min * scale, clip.Max * scale, mode);
        return factors with
        {
            Algorithm = FormattableString.Invariant($"{factors.Algorithm}, ×{scale:0.###} (range refinement)"),
            ClipMin = clip.Min * scale,
            ClipMax = clip.Max * scale,
            Params = parameters,
            SqnrDb = observations.GetValueOrDefault(factors.Tensor)?.Histogram is { HasRange: true } histogram
                ? Sqnr.Db(HistogramMath.SquaredSum(histogram), HistogramMath.SquaredError(histogram, parameters))
                : null,
        };
    }
}
