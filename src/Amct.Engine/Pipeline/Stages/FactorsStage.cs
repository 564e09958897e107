using Amct.Engine.Calibration;
using Amct.Engine.Data;
using Amct.Engine.Formats;
using Amct.Engine.Quantization;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// The activations' factors: trained (QAT import), read from a record file, or calibrated on the calibration data. A record as AMCT writes
/// it holds layer entries only; the tensors it leaves without factors (an Add input, say) are calibrated when there is
/// calibration data, and kept in float otherwise — with a warning naming them either way.
/// </summary>
internal sealed class FactorsStage() : JobStage("factors", StageTiming.Calibrate)
{
    public override void Run(JobContext context)
    {
        var (request, plan) = (context.Request, context.Plan);
        if (context.TrainedFactors is { } trained)
        {
            context.Factors = trained;
            context.CalibrationInfo = new CalibrationInfo(null, 0, "trained factors (QAT import)");
        }
        else if (request.RecordInput is { } recordPath)
        {
            FromRecord(context, recordPath);
        }
        else if (plan.ObservedTensors.Count == 0)
        {
            context.Factors = [];
            context.CalibrationInfo = new CalibrationInfo(request.CalibrationData, 0, "none needed");
        }
        else
        {
            var dataPath = request.CalibrationData ?? throw new AmctException(ErrorCodes.MissingSetting, context.ModelPath,
                "no calibration data given. Pass the samples to calibrate on (--calibration-data, or CalibrationData " +
                "metadata), or a record file with the factors (--record).");
            var calibration = Calibrate(context, dataPath, plan.ObservedTensors);
            context.Observations = calibration.Observations;
            context.Factors = ActivationFactors.Compute(plan, calibration.Observations, context.Settings.MethodFor,
                context.Settings.Activation);
            context.CalibrationInfo = new CalibrationInfo(Path.GetFullPath(dataPath), calibration.Samples, "calibration")
            {
                FixedInputs = context.FixedInputs.Select(f => FormattableString.Invariant($"{f.Input.Name} = {f.Value} ({f.Why})")).ToList(),
            };
        }
        context.CalibratedFactors = context.Factors;
    }

    private static void FromRecord(JobContext context, string recordPath)
    {
        var target = Path.GetFullPath(recordPath);
        var records = context.Record ?? throw new InvalidOperationException("the load stage reads the record");
        var coverage = RecordFactors.FromRecord(context.Plan, records, recordPath);
        WarnUnused(context, coverage.Unused, target);
        context.CalibrationInfo = new CalibrationInfo(null, 0, "record " + target);
        if (coverage.UncoveredGroups.Count == 0)
        {
            context.Factors = coverage.Factors;
            return;
        }
        var missing = coverage.UncoveredGroups.SelectMany(g => context.Plan.Groups[g]).ToList();
        if (context.Request.CalibrationData is { } dataPath)
        {
            var part = OnlyGroups(context.Plan, coverage.UncoveredGroups);
            context.Log.Warning(ErrorCodes.RecordTensorsNotCovered, target,
                $"the record gives no factors for {Names(missing)}; calibrating them on {dataPath}.");
            var calibration = Calibrate(context, dataPath, part.ObservedTensors);
            var calibrated = ActivationFactors.Compute(part, calibration.Observations, context.Settings.MethodFor, context.Settings.Activation)
                .Select(f => f with { Group = coverage.UncoveredGroups[f.Group] });
            context.Factors = coverage.Factors.Concat(calibrated).OrderBy(f => f.Group).ToList();
            context.CalibrationInfo = new CalibrationInfo(Path.GetFullPath(dataPath), calibration.Samples, $"record {target} and calibration");
            return;
        }
        KeepUncoveredInFloat(context, records, recordPath, coverage);
    }

    /// <summary>
    /// Without calibration data, what the record does not cover stays float: layers whose input has no factors are
    /// planned again as skipped (which changes what else is quantized), then the remaining tensors lose their Q/DQ.
    /// </summary>
    private static void KeepUncoveredInFloat(JobContext context, IReadOnlyList<LayerRecord> records, string recordPath, RecordCoverage coverage)
    {
        var (plan, graph) = (context.Plan, context.Model.Graph);
        var floatLayers = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var missing = coverage.UncoveredGroups.SelectMany(g => plan.Groups[g]).ToHashSet(StringComparer.Ordinal);
            var layers = plan.Layers.Where(l => missing.Contains(l.ActivationInput)).Select(l => l.Name).ToList();
            if (layers.Count == 0)
            {
                var kept = plan.QuantizedTensors.Where(missing.Contains).ToList();
                var what = string.Join("; ", new[]
                {
                    floatLayers.Count > 0 ? $"layers {string.Join(", ", floatLayers.Select(n => $"'{n}'"))}" : null,
                    kept.Count > 0 ? Names(kept) : null,
                }.Where(w => w is not null));
                context.Log.Warning(ErrorCodes.RecordTensorsNotCovered, Path.GetFullPath(recordPath),
                    $"the record gives no factors for {what}, and no calibration data was given: they stay in float. " +
                    "Give calibration data (--calibration-data) to quantize them too.");
                plan = plan.WithoutTensors(missing);
                context.Plan = plan;
                context.Factors = RecordFactors.FromRecord(plan, records, recordPath).Factors;
                return;
            }
            floatLayers.UnionWith(layers);
            var options = context.Settings.PlanOptions(graph);
            var skip = new HashSet<string>(options.SkipLayers, StringComparer.Ordinal);
            skip.UnionWith(floatLayers);
            plan = PlanBuilder.Plan(graph, options with { SkipLayers = skip });
            plan = plan.WithSkipped(plan.Skipped
                .Select(s => floatLayers.Contains(s.Name) ? s with { Reason = "the record gives no factors for its input" } : s)
                .ToList());
            coverage = RecordFactors.FromRecord(plan, records, recordPath);
        }
    }

    /// <summary>The part of the plan made of these groups, for calibrating just them.</summary>
    private static QuantizationPlan OnlyGroups(QuantizationPlan plan, IReadOnlyList<int> groups)
    {
        var members = groups.SelectMany(g => plan.Groups[g]).ToHashSet(StringComparer.Ordinal);
        return new QuantizationPlan
        {
            Layers = [],
            Skipped = [],
            Folds = [],
            QuantizedTensors = plan.QuantizedTensors.Where(members.Contains).ToList(),
            Groups = groups.Select(g => plan.Groups[g]).ToList(),
            ObservedTensors = plan.ObservedTensors.Where(members.Contains).ToList(),
        };
    }

    /// <summary>Entries naming nothing the plan quantizes warn, as config entries naming no layer do.</summary>
    private static void WarnUnused(JobContext context, IReadOnlyList<LayerRecord> unused, string target)
    {
        var nodes = context.Model.Graph.Node.ToDictionary(n => n.Name, n => n.OpType, StringComparer.Ordinal);
        foreach (var record in unused)
        {
            var why = nodes.TryGetValue(record.Key, out var opType)
                ? $"names node '{record.Key}' ({opType}), which is not quantized (skipped, or not an op Amct.Build quantizes)"
                : $"names no node (and no quantized tensor) of the model";
            context.Log.Warning(ErrorCodes.RecordUnknownKey, target,
                $"record '{record.Key}' {why}; the entry has no effect. Run 'amct inspect' to list the layers.");
        }
    }

    private static string Names(List<string> tensors) =>
        $"{(tensors.Count == 1 ? "tensor" : $"{tensors.Count} tensors")} {string.Join(", ", tensors.Take(8).Select(t => $"'{t}'"))}{(tensors.Count > 8 ? ", …" : "")}";

    private static CalibrationResult Calibrate(JobContext context, string dataPath, IReadOnlyList<string> observed) =>
        CalibrationSamples.Read(context, dataPath, quiet: false, (batches, total) =>
        {
            var (settings, log) = (context.Settings, context.Log);
            log.Info($"calibrating on {total} samples from {dataPath} (batch {context.BatchSize}, {observed.Count} tensors, method {settings.MethodName})");
            var calibration = Calibrator.Run(context.Model, observed, settings.NeedsHistograms, batches,
                Path.GetFullPath(dataPath), done => log.Progress("calibrating samples", done, total));
            // The samples read, as the data counts them: a whole-run sample (ModelInput.Whole) has no batch axis the
            // calibrator could count along.
            return calibration with { Samples = total };
        });
}
