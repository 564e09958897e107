using System.Collections.Generic;
using Amct.Build.Tasks.Settings;
using Amct.Engine.Pipeline;

namespace Amct.Build.Tasks.Planning;

/// <summary>
/// Everything the build knows about one model before running the worker: where its outputs go (in obj/ and in the
/// output folder), which files it is made from (for incremental builds) and its checked settings.
/// </summary>
internal sealed class ModelPlan
{
    public ModelPlan(string item, string modelPath, ModelSettings settings, string outputName, string outputDirectory,
        string targetDirectory)
    {
        Item = item;
        ModelPath = modelPath;
        Settings = settings;
        OutputName = outputName;
        OutputDirectory = outputDirectory;
        TargetDirectory = targetDirectory;
    }

    /// <summary>The item as written in the project.</summary>
    public string Item { get; }

    public string ModelPath { get; }
    public ModelSettings Settings { get; }

    /// <summary>Base name of the outputs (suffixes in <see cref="OutputNames"/>).</summary>
    public string OutputName { get; }

    /// <summary>The folder under obj/ the worker writes to (ends with a separator).</summary>
    public string OutputDirectory { get; }

    /// <summary>The folder, relative to the output folder, that receives the outputs: where the float model would go.</summary>
    public string TargetDirectory { get; }

    public string QuantizedModel => OutputDirectory + OutputNames.QuantizedModel(OutputName);
    public string RecordFile => OutputDirectory + OutputNames.Record(OutputName);
    public string ReportFile => OutputDirectory + OutputNames.Report(OutputName);

    /// <summary>The report for people, written next to the JSON one.</summary>
    public string HumanReportFile => OutputDirectory + OutputNames.HumanReport(OutputName);

    /// <summary>The HTML report, written next to the Markdown one.</summary>
    public string HtmlReportFile => OutputDirectory + OutputNames.HtmlReport(OutputName);

    /// <summary>The int8 model's external data; written only for models too large for one file.</summary>
    public string QuantizedModelData => OutputDirectory + OutputNames.ExternalData(OutputName);

    /// <summary>The settings and tool version; rewritten only when they change (see <see cref="InputsCache"/>).</summary>
    public string InputsCacheFile => OutputDirectory + OutputName + ".amct.inputs";

    /// <summary>The model's own files (model and external data) as the worker reported them last time.</summary>
    public string DependencyFile => OutputDirectory + OutputName + ".amct.deps";

    /// <summary>The files the settings name (calibration and evaluation data, config, record), folders expanded.</summary>
    public IReadOnlyList<string> DataFiles { get; set; } = [];

    /// <summary>Every file whose change makes the outputs stale.</summary>
    public IReadOnlyList<string> InputFiles { get; set; } = [];

    /// <summary>The files quantizing this model writes (that exist or are expected).</summary>
    public IReadOnlyList<string> OutputFiles { get; set; } = [];
}
