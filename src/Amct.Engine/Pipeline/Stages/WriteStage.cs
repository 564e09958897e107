using Amct.Engine.Formats;
using Amct.Engine.Onnx;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// Writes the int8 model and the record to temporary files beside their targets; <see cref="PublishStage"/> moves
/// them into place with the reports. A model that failed its gate writes neither.
/// </summary>
internal sealed class WriteStage() : JobStage("write", StageTiming.Write)
{
    public override void Run(JobContext context)
    {
        if (!context.KeepOutputs)
        {
            return;
        }
        var outputs = context.Outputs;
        ModelSaver.Save(context.Quantized, outputs.Model, writer: outputs.Files);
        var records = RecordFactors.ToRecord(context.Plan, context.Factors, context.Weights, context.Balanced)
            .Concat(context.Subgraphs.Quantized.SelectMany(q => RecordFactors.ToRecord(q.Plan, q.Factors, q.Weights))).ToList();
        RecordWriter.Write(outputs.Record, records, outputs.Files);
    }
}
