using System.Text.Json;
using Amct.Engine.IO;

namespace Amct.Cli.Job;

/// <summary>
/// What <c>amct job</c> reports back to the task: for each model whether it succeeded, the files it produced (the
/// task turns them into build items) and the files it read (the model and its external data), which the task keeps
/// as inputs of the next incremental build.
/// </summary>
internal sealed record JobResultFile(string Format, IReadOnlyList<ModelResult> Models)
{
    public const string CurrentFormat = "amct-job-result/1";

    public void Write(string path) =>
        AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, this, CliJson.Options));
}

internal sealed record ModelResult
{
    public required string Item { get; init; }
    public required string Model { get; init; }
    public required bool Succeeded { get; init; }
    public string? QuantizedModel { get; init; }
    public string? RecordFile { get; init; }
    public string? ReportFile { get; init; }

    /// <summary>Every file written for the model (the three above, and the int8 model's external data if any).</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>The files the model consists of: the model file and its external data files.</summary>
    public IReadOnlyList<string> Inputs { get; init; } = [];

    /// <summary>One line for the build log.</summary>
    public string? Summary { get; init; }
}
