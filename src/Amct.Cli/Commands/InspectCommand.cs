using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Amct.Cli.Parsing;
using Amct.Engine.Graph;
using Amct.Engine.Onnx;

namespace Amct.Cli.Commands;

/// <summary><c>amct inspect &lt;model.onnx&gt; [--json]</c>: what a model holds and which layers can be quantized.</summary>
internal static class InspectCommand
{
    public const string Usage = "amct inspect <model.onnx> [--json]";

    public static Command Create(TextWriter output)
    {
        var model = AmctCommandLine.Positional("model.onnx", "the ONNX model");
        var json = new Option<bool>("--json") { Description = "print the summary as JSON" };
        var command = new Command("inspect", "show inputs, outputs, operators, parameters and quantizable layers") { model, json };
        command.SetAction(parse => Run(parse.GetValue(model) ?? [], parse.GetValue(json), output));
        return command;
    }

    private static int Run(string[] positional, bool json, TextWriter output)
    {
        if (positional.Length != 1)
        {
            throw AmctCommandLine.Usage($"inspect takes one model path. Usage: {Usage}");
        }
        var path = Path.GetFullPath(AmctCommandLine.PathArgument(positional[0], "the model path"));
        var summary = ModelSummary.Of(ModelLoader.Load(path), path);
        output.Write(json ? ToJson(summary) : ToText(summary));
        return 0;
    }

    internal static string ToJson(ModelSummary summary) =>
        JsonSerializer.Serialize(summary, CliJson.Options) + Environment.NewLine;

    internal static string ToText(ModelSummary s)
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"Model:       {s.Path}");
        text.AppendLine(c, $"IR version:  {s.IrVersion}");
        if (s.Producer.Length > 0)
        {
            text.AppendLine(c, $"Producer:    {s.Producer}");
        }
        text.AppendLine(c, $"Opsets:      {string.Join(", ", s.Opsets.Select(o => $"{o.Domain} {o.Version}"))}");
        text.AppendLine("Inputs:");
        foreach (var value in s.Inputs)
        {
            text.AppendLine(c, $"  {value.Name}: {value.Type} [{string.Join(", ", value.Shape)}]");
        }
        text.AppendLine("Outputs:");
        foreach (var value in s.Outputs)
        {
            text.AppendLine(c, $"  {value.Name}: {value.Type} [{string.Join(", ", value.Shape)}]");
        }
        text.AppendLine(c, $"Nodes:       {s.NodeCount} ({string.Join(", ", s.OpCounts.Select(o => $"{o.OpType} {o.Count}"))})");
        text.AppendLine(c, $"Parameters:  {s.ParameterCount:N0} ({s.ParameterBytes:N0} bytes)");
        text.AppendLine(c, $"Quantizable layers: {s.QuantizableLayers.Count}");
        foreach (var layer in s.QuantizableLayers)
        {
            text.AppendLine(c, $"  {layer.Name} ({layer.OpType}, weight {layer.WeightName} [{string.Join(", ", layer.WeightShape)}])");
        }
        return text.ToString();
    }
}
