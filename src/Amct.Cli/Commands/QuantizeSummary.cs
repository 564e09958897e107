using Amct.Engine.Evaluation;
using Amct.Engine.Formats;
using Amct.Engine.Pipeline;

namespace Amct.Cli.Commands;

/// <summary>
/// What <c>amct quantize --json</c> prints: the files written, the size, the layers kept float, the evaluation and the
/// gate verdict, and the one-line summary a person reads. The full report is in <see cref="Report"/>.
/// </summary>
internal sealed record QuantizeSummary(
    string Model,
    string QuantizedModel,
    string RecordFile,
    string Report,
    string? HumanReport,
    long InputBytes,
    long OutputBytes,
    int QuantizedLayers,
    IReadOnlyList<SkippedReport> LayersKeptFloat,
    EvaluationResult? Evaluation,
    bool EvaluationInSample,
    GateReport? Gate,
    string Summary)
{
    public static QuantizeSummary Of(QuantizeResult result, string summary)
    {
        var r = result.Report;
        return new QuantizeSummary(r.Model.Input, result.QuantizedModel, result.RecordFile, result.ReportFile, r.HumanReport,
            r.Model.InputBytes, r.Model.OutputBytes, r.Layers.Count, r.Skipped, r.Evaluation, r.EvaluationInSample, r.Gate,
            summary.Split(Environment.NewLine)[0]);
    }
}
