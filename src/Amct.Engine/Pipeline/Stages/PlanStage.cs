using Amct.Engine.ControlFlow;
using Amct.Engine.Data;
using Amct.Engine.Quantization;
using Amct.Engine.Quantization.Import;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// Decides what is quantized and how (the plan), warns about settings naming no layer, and how samples are fed to the
/// model (its inputs, the batch size, the data options) for calibration and evaluation.
/// </summary>
internal sealed class PlanStage() : JobStage("plan", StageTiming.Prepare)
{
    public override void Run(JobContext context)
    {
        var (request, settings, graph) = (context.Request, context.Settings, context.Model.Graph);
        if (context.Import is { } import)
        {
            var trained = TrainedFactors.Fit(graph, settings.PlanOptions(graph), import);
            (context.Plan, context.TrainedFactors) = (trained.Plan, trained.Factors);
            context.ImportChanges.AddRange(trained.Changes);
        }
        else
        {
            context.Plan = PlanBuilder.Plan(graph, settings.PlanOptions(graph));
        }
        foreach (var unknown in settings.UnknownLayerNames(graph))
        {
            context.Log.Warning(ErrorCodes.UnknownLayerSetting, request.ConfigFile ?? context.ModelPath,
                $"'{unknown}' names no layer of the model; the setting has no effect. Run 'amct inspect' to list the layers.");
        }
        foreach (var opType in settings.UnknownOpTypes(graph))
        {
            context.Log.Warning(ErrorCodes.UnknownLayerSetting, request.ConfigFile ?? context.ModelPath,
                $"override_layer_types names '{opType}', an operator type no node of the model has (ONNX types such as " +
                "Conv, Gemm or MatMul are meant); the override has no effect.");
        }
        context.NothingToQuantize = context.Plan.Layers.Count == 0 && context.Plan.QuantizedTensors.Count == 0 && context.Plan.WeightOnly.Count == 0
            && !SubgraphQuantization.HoldsWeightedLayers(graph);
        if (context.NothingToQuantize)
        {
            context.Log.Warning(ErrorCodes.NothingToQuantize, context.ModelPath,
                $"the model has no layer that can be quantized ({string.Join(", ", Quantization.Rules.OpRules.WeightedOpTypes)} with a constant " +
                "weight, or all are skipped); it is written unchanged.");
        }
        var feed = InputFeed.Plan(context.Model, request.InputValues, Amct.Engine.Settings.SettingList.InputValues.Name);
        if (request.RecurrentState == RecurrentStateMode.Zero)
        {
            feed = feed.WithZeroState();
        }
        context.Inputs = feed.DataInputs;
        context.FixedInputs = feed.Fixed;
        foreach (var input in feed.Fixed)
        {
            context.Log.Info(FormattableString.Invariant($"input '{input.Input.Name}' is fed {input.Value} ({input.Why})"));
        }
        if (feed.States.Count > 0)
        {
            context.StateStepper = new Onnx.FloatStateStepper(context.Model, context.ModelPath, feed.States);
        }
        // Data options from the request (CLI, MSBuild) win over the AMCT config's "preprocess" object.
        context.DataOptions = (request.DataOptions ?? context.Config?.Preprocess ?? SampleSourceOptions.Default)
            with { FixedInputs = feed.Fixed, CarriedState = context.StateStepper is { } stepper ? new CarriedStateCache(stepper) : null };
        context.BatchSize = SampleBatches.ChooseBatchSize(context.Inputs, settings.BatchSize);
    }
}
