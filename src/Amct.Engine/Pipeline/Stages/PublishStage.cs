using Amct.Engine.Formats;
using Amct.Engine.Formats.Html;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// Writes the reports and replaces the old outputs with the new set in one step. After a failed gate (not reported as
/// a warning) the set is the failed-gate report alone, and the job fails with an error that links to it.
/// </summary>
internal sealed class PublishStage() : JobStage("publish", StageTiming.None)
{
    public override void Run(JobContext context)
    {
        var outputs = context.Outputs;
        var report = ReportBuilder.Report(context);
        if (!context.KeepOutputs)
        {
            report = report with { HumanReport = outputs.FailedReport, HtmlReport = null };
            MarkdownReport.Write(outputs.FailedReport, report, outputs.Files);
            outputs.CommitFailure();
            throw GateFailureMessage.Error(context, outputs.FailedReport);
        }
        report = report with { Model = report.Model with { OutputBytes = outputs.Files.LengthOf(outputs.Model) } };
        report.Write(outputs.Report, outputs.Files);
        MarkdownReport.Write(outputs.HumanReport, report, outputs.Files);
        HtmlReport.Write(outputs.HtmlReport, report, outputs.Files);
        var files = outputs.Commit();
        if (context.Gate is { Passed: false } gate)
        {
            GateFailureMessage.Warn(gate, context.ModelPath, context.Log);
        }
        context.Result = new QuantizeResult(outputs.Model, outputs.Record, outputs.Report, report) { Files = files };
    }
}
