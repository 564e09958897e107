using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace Amct.Engine.Pipeline;

/// <summary>
/// The names of the files quantization writes, in one place: the outputs of a model (&lt;name&gt; + a suffix), the
/// report kept after a failed gate, and the job and result files the MSBuild task exchanges with the worker. The task
/// (netstandard2.0) compiles this file too, so it uses nothing newer than netstandard2.0 offers; build/Amct.Build.targets
/// spells the job and result file names and a test checks them against these. Internal, so the
/// two compiled copies never meet in one assembly's references.
/// </summary>
internal static class OutputNames
{
    /// <summary>The int8 QDQ model.</summary>
    public const string QuantizedModelSuffix = ".int8.onnx";

    /// <summary>Appended to the int8 model's file name for its external data (only models too large for one file).</summary>
    public const string ExternalDataSuffix = ".data";

    /// <summary>The AMCT record (scale/offset factors).</summary>
    public const string RecordSuffix = ".record.txt";

    /// <summary>The JSON report.</summary>
    public const string ReportSuffix = ".quant.json";

    /// <summary>The human (Markdown) report.</summary>
    public const string HumanReportSuffix = ".quant.md";

    /// <summary>The HTML report: the same data drawn (charts as inline SVG), self-contained.</summary>
    public const string HtmlReportSuffix = ".quant.html";

    /// <summary>
    /// The human report of a model that failed its accuracy gate. Not an output: no up-to-date check lists it, so a
    /// failed model is quantized again on the next build while the report that explains the failure stays readable.
    /// </summary>
    public const string FailedReportSuffix = ".quant.failed.md";

    /// <summary>The job file the task writes into the project's intermediate folder for the worker.</summary>
    public const string JobFileName = "amct.job.json";

    /// <summary>The result file the worker writes next to the job file.</summary>
    public const string ResultFileName = "amct.result.json";

    public static string QuantizedModel(string name) => name + QuantizedModelSuffix;

    public static string ExternalData(string name) => name + QuantizedModelSuffix + ExternalDataSuffix;

    public static string Record(string name) => name + RecordSuffix;

    public static string Report(string name) => name + ReportSuffix;

    public static string HumanReport(string name) => name + HumanReportSuffix;

    public static string HtmlReport(string name) => name + HtmlReportSuffix;

    public static string FailedReport(string name) => name + FailedReportSuffix;

    /// <summary>
    /// Every file name a successful quantization may leave for <paramref name="name"/>: what a failed one removes so
    /// nothing looks up to date. The failed-gate report is not among them.
    /// </summary>
    public static IReadOnlyList<string> Outputs(string name) =>
        [QuantizedModel(name), ExternalData(name), Record(name), Report(name), HumanReport(name), HtmlReport(name)];

    /// <summary>
    /// Why <paramref name="name"/> cannot be the base name of output files, or null when it can: it must be a plain
    /// file name (not empty or blank; no folder separators, drive colon, NUL or other character file names cannot
    /// hold), so every output lands in the output folder and nowhere else.
    /// </summary>
    public static string? NameProblem(string name)
    {
        if (name.Trim().Length == 0)
        {
            return "it is empty";
        }
        if (name.IndexOfAny(['/', '\\', ':']) >= 0)
        {
            return "it holds a folder separator or a colon; give a plain name without folders";
        }
        foreach (var c in name)
        {
            // Control characters (NUL among them) are refused on every platform, not only where the OS refuses them.
            if (c < ' ' || Array.IndexOf(Path.GetInvalidFileNameChars(), c) >= 0)
            {
                return "it holds a character file names cannot hold (U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture) + ")";
            }
        }
        return null;
    }
}
