using Amct.Engine.Formats;
using Amct.Engine.Onnx;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>Reads the AMCT config, resolves the settings and loads the model (keeping an untouched copy).</summary>
internal sealed class LoadStage() : JobStage("load", StageTiming.Load)
{
    public override void Run(JobContext context)
    {
        var request = context.Request;
        context.Config = request.ConfigFile is { } configFile ? QuantConfigReader.Read(configFile) : null;
        context.Settings = JobSettings.Resolve(request, context.Config);
        context.Model = ModelLoader.Load(context.ModelPath);
        context.Original = context.Model.Clone();
    }
}
