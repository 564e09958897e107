using Amct.Engine.Formats;
using Amct.Engine.Onnx;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// Reads the AMCT config and record, resolves the settings and loads the model (keeping an untouched copy). The record
/// is read here, before the graph is prepared, because its <c>skip_fusion</c> entries decide what is folded.
/// </summary>
internal sealed class LoadStage() : JobStage("load", StageTiming.Load)
{
    public override void Run(JobContext context)
    {
        var request = context.Request;
        context.Config = request.ConfigFile is { } configFile ? QuantConfigReader.Read(configFile) : null;
        context.Settings = JobSettings.Resolve(request, context.Config);
        if (request.RecordInput is { } recordPath)
        {
            context.Record = RecordReader.Read(recordPath);
            RecordSupport.Check(context.Record, recordPath);
        }
        context.Model = ModelLoader.Load(context.ModelPath);
        context.Original = context.Model.Clone();
    }
}
