using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Amct.Cli.Options;
using Amct.Cli.Parsing;
using Amct.Engine.Data;
using Amct.Engine.Evaluation;
using Amct.Engine.Onnx;
using Amct.Engine.Settings;

namespace Amct.Cli.Commands;

/// <summary><c>amct evaluate</c>: compare a quantized model with its float original on a data set.</summary>
internal static class EvaluateCommand
{
    public const string Usage =
        "amct evaluate <float.onnx> <int8.onnx> --data <path> [--labels <labels.npy|labels.csv|classes.txt>] " +
        "[--batch-size N] [--json] [data options]";

    public static Command Create(TextWriter output)
    {
        var models = AmctCommandLine.Positional("float.onnx> <int8.onnx", "the float model and its quantized version");
        var data = new Option<string>("--data") { Description = "the samples to compare on", HelpName = "path" };
        var labels = new Option<string>("--labels") { Description = "their labels (.npy, CSV or a class list)", HelpName = "path" };
        var json = new Option<bool>("--json") { Description = "print the result as JSON" };
        // Batch size and data options are the quantize command's settings, read by the same contract.
        var settings = new SettingOptions([SettingList.BatchSize, .. SettingList.DataOptions]);
        var command = new Command("evaluate", "compare a quantized model with its float original") { models, data, labels, json };
        foreach (var option in settings.All)
        {
            command.Options.Add(option);
        }
        command.SetAction(parse => Run(parse.GetValue(models) ?? [], parse.GetValue(data), parse.GetValue(labels),
            parse.GetValue(json), QuantizeOptions.Read(settings.Given(parse), SettingNaming.CommandLine), output));
        return command;
    }

    private static int Run(string[] positional, string? dataPath, string? labelsPath, bool json, QuantizeOptions options,
        TextWriter output)
    {
        if (positional.Length != 2)
        {
            throw AmctCommandLine.Usage($"evaluate takes the float and the quantized model. Usage: {Usage}");
        }
        dataPath = AmctCommandLine.PathArgument(dataPath ?? throw AmctCommandLine.Usage($"evaluate needs --data. Usage: {Usage}"), "--data");
        var floatPath = Path.GetFullPath(AmctCommandLine.PathArgument(positional[0], "the float model path"));
        var quantizedPath = Path.GetFullPath(AmctCommandLine.PathArgument(positional[1], "the quantized model path"));
        var inputs = ModelInput.Of(ModelLoader.Load(floatPath));
        using var source = SampleSources.Open(dataPath, inputs, options.DataOptions(SettingNaming.CommandLine) ?? SampleSourceOptions.Default);
        var labels = labelsPath is not null ? Labels.Read(AmctCommandLine.PathArgument(labelsPath, "--labels"), source) : null;
        var batchSize = SampleBatches.ChooseBatchSize(inputs, options.BatchSize ?? 16);
        var batches = SampleBatches.Read(source, inputs, batchSize).Select(b => new InputBatch(b.Inputs, b.Count));
        var result = ModelEvaluator.Compare(floatPath, quantizedPath, batches, labels);
        output.WriteLine(json ? JsonSerializer.Serialize(result, CliJson.Options) : Describe(result));
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
