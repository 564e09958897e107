using Amct.Engine.Onnx;
using Amct.Engine.Data;

namespace Amct.Engine.Pipeline;

/// <summary>
/// The calibration samples again, for a stage that measures on them after the factors stage (which warned about
/// their count already): the same samples in the same batches.
/// </summary>
internal static class CalibrationSamples
{
    /// <summary>Runs <paramref name="use"/> on the calibration batches; the data is open only while it runs.</summary>
    public static T With<T>(JobContext context, string dataPath, Func<IEnumerable<IReadOnlyDictionary<string, TensorProto>>, T> use)
    {
        using var source = SampleSources.Open(dataPath, context.Inputs, context.DataOptions);
        var wanted = Math.Min(context.Settings.SamplesFor(context.BatchSize) ?? source.Count, source.Count);
        return use(SampleBatches.Read(source, context.Inputs, context.BatchSize, wanted).Select(b => b.Inputs));
    }
}
