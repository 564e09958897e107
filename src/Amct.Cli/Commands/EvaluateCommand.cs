using System.Globalization;
using System.Text;
using System.Text.Json;
using Amct.Engine.Data;
using Amct.Engine.Evaluation;
using Amct.Engine.Onnx;

namespace Amct.Cli.Commands;

/// <summary><c>amct evaluate</c>: compare a quantized model with its float original on a data set.</summary>
internal static class EvaluateCommand
{
    public static readonly string Usage =
        "amct evaluate <float.onnx> <int8.onnx> --data <path> [--labels <labels.npy|labels.csv|classes.txt>] " +
        "[--batch-size N] [--json] " + DataOptionArguments.Usage;

    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        var a = Arguments.Parse(args, ["data", "labels", "batch-size", .. DataOptionArguments.ValueOptions], ["json"]);
        if (a.Positional.Count != 2)
        {
            throw Arguments.Usage($"evaluate takes the float and the quantized model. Usage: {Usage}");
        }
        var dataPath = a.Option("data") ?? throw Arguments.Usage($"evaluate needs --data. Usage: {Usage}");
        var floatPath = Path.GetFullPath(a.Positional[0]);
        var quantizedPath = Path.GetFullPath(a.Positional[1]);
        var inputs = ModelInput.Of(ModelLoader.Load(floatPath));
        using var source = SampleSources.Open(dataPath, inputs, DataOptionArguments.Parse(a) ?? SampleSourceOptions.Default);
        var labels = a.Option("labels") is { } labelsPath ? Labels.Read(labelsPath, source) : null;
        var batchSize = SampleBatches.ChooseBatchSize(inputs, QuantizeCommand.Number("batch-size", a.Option("batch-size")) ?? 16);
        var batches = SampleBatches.Read(source, inputs, batchSize).Select(b => new InputBatch(b.Inputs, b.Count));
        var result = ModelEvaluator.Compare(floatPath, quantizedPath, batches, labels);
        output.WriteLine(a.Switch("json") ? JsonSerializer.Serialize(result, CliJson.Options) : Describe(result));
        return 0;
    }

    internal static string Describe(EvaluationResult result)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(c, $"{result.Samples} samples");
        if (result is { FloatAccuracy: { } f, QuantizedAccuracy: { } q })
        {
            text.Append(c, $"; top-1 {q.Top1:P2} (float {f.Top1:P2}, drop {(f.Top1 - q.Top1) * 100:0.00} points), ");
            text.Append(c, $"top-5 {q.Top5:P2} (float {f.Top5:P2})");
        }
        foreach (var o in result.Outputs)
        {
            text.AppendLine();
            text.Append(c, $"  {o.Output}: ");
            if (o.Top1Agreement is { } agreement)
            {
                text.Append(c, $"top-1 agreement {agreement:P2}, ");
            }
            text.Append(c, $"cosine {o.CosineMean:0.0000} (worst {o.CosineWorst:0.0000} at sample {o.CosineWorstSample}), ");
            text.Append(c, $"SQNR {o.SqnrDb:0.00} dB, max abs error {o.MaxAbsError:G4}");
        }
        return text.ToString();
    }
}
