using System.Collections.Generic;
using System.IO;

namespace Amct.Build.Tasks.Planning;

/// <summary>A file quantization writes, and whether and where it is copied to the output and publish folders.</summary>
internal sealed class OutputFile
{
    public OutputFile(string path, string link, string copyToOutput, string copyToPublish)
    {
        Path = path;
        Link = link;
        CopyToOutputDirectory = copyToOutput;
        CopyToPublishDirectory = copyToPublish;
    }

    public string Path { get; }

    /// <summary>Its path relative to the output folder: next to where the float model would go.</summary>
    public string Link { get; }

    public string CopyToOutputDirectory { get; }
    public string CopyToPublishDirectory { get; }

    public bool IsCopied => CopyToOutputDirectory != "Never" || CopyToPublishDirectory != "Never";
}

/// <summary>
/// Decides which outputs go to bin/ and publish/: the int8 model (and its external data) as the item's
/// CopyToOutputDirectory/CopyToPublishDirectory say, the record and report only with CopyRecordAndReport.
/// </summary>
internal static class OutputItems
{
    public static OutputFile For(ModelPlan plan, string file)
    {
        var isModel = file == plan.QuantizedModel || file == plan.QuantizedModelData;
        var copied = isModel || plan.Settings.CopyRecordAndReport;
        return new OutputFile(file, plan.TargetDirectory + Path.GetFileName(file),
            copied ? plan.Settings.CopyToOutputDirectory : "Never",
            copied ? plan.Settings.CopyToPublishDirectory : "Never");
    }

    public static IEnumerable<OutputFile> For(ModelPlan plan)
    {
        foreach (var file in plan.OutputFiles)
        {
            yield return For(plan, file);
        }
    }
}
