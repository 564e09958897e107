using System.Text.Json;
using System.Text.Json.Serialization;
using Amct.Engine;

namespace Amct.Cli.Job;

/// <summary>
/// The job file the MSBuild task writes for <c>amct job</c>: every model of one project with its settings already
/// resolved (item metadata over project properties). Paths are absolute. Settings left null take the engine default.
/// The format name carries a version, so a task and a worker from different package versions fail clearly instead of
/// misreading each other.
/// </summary>
internal sealed record JobFile
{
    public const string CurrentFormat = "amct-job/1";

    public required string Format { get; init; }

    /// <summary>The project file that declares the models; the location of errors about settings.</summary>
    public required string Project { get; init; }

    public required IReadOnlyList<JobModel> Models { get; init; }

    private static readonly JsonSerializerOptions Options = new(CliJson.Options)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static JobFile Read(string path)
    {
        var fullPath = Path.GetFullPath(path);
        JobFile? job;
        try
        {
            job = JsonSerializer.Deserialize<JobFile>(File.ReadAllBytes(fullPath), Options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Invalid(fullPath, $"cannot read the job file: {e.Message}");
        }
        catch (JsonException e)
        {
            throw Invalid(fullPath, $"the job file is not valid: {e.Message}");
        }
        if (job is null || job.Format != CurrentFormat)
        {
            throw Invalid(fullPath, $"the job file has format '{job?.Format}', but this amct reads '{CurrentFormat}'");
        }
        return job;
    }

    private static AmctException Invalid(string path, string problem) => new(ErrorCodes.JobFileInvalid, path,
        $"{problem}. The Amct.Build task and the amct worker come from different versions; restore the package again.");
}

/// <summary>One model of a job: the AmctModel item and its resolved settings.</summary>
internal sealed record JobModel
{
    /// <summary>The item as the project wrote it (for messages).</summary>
    public required string Item { get; init; }

    public required string Model { get; init; }
    public required string OutputDirectory { get; init; }
    public string? OutputName { get; init; }
    public string? CalibrationData { get; init; }
    public string? ConfigFile { get; init; }
    public string? RecordInput { get; init; }

    /// <summary>asymmetric | symmetric.</summary>
    public string? Activation { get; init; }

    /// <summary>per-channel | per-tensor, for Conv and ConvTranspose.</summary>
    public string? Weights { get; init; }

    /// <summary>per-channel | per-tensor, for Gemm and MatMul.</summary>
    public string? MatMulWeights { get; init; }

    /// <summary>minmax | percentile | ifmr | hfmg | entropy.</summary>
    public string? Method { get; init; }

    public long? SampleCount { get; init; }
    public int? BatchSize { get; init; }
    public IReadOnlyList<string> SkipLayers { get; init; } = [];
    public IReadOnlyList<string> SkipOpTypes { get; init; } = [];

    /// <summary>Conv+BatchNormalization folding (AMCT do_fusion).</summary>
    public bool? Fusion { get; init; }

    public string? EvaluationData { get; init; }
    public string? EvaluationLabels { get; init; }

    /// <summary>Image preprocessing preset (e.g. imagenet-caffe).</summary>
    public string? Preprocess { get; init; }

    // The accuracy gate: thresholds as invariant decimal text, as the task validated them.
    public string? MinAccuracy { get; init; }
    public string? MaxAccuracyDrop { get; init; }
    public string? MaxRelativeAccuracyDrop { get; init; }
    public string? MinTop1Agreement { get; init; }
    public string? MinCosineSimilarity { get; init; }
    public string? MinSqnrDb { get; init; }
    public bool? AutoFallback { get; init; }
    public long? MaxFallbackLayers { get; init; }
    public bool? AccuracyFailureIsWarning { get; init; }

    // Settings added later (image preprocessing, accuracy gate) go here, in the task's settings table
    // (Amct.Build.Tasks/Settings/ModelSettings.cs) and in JobRequests.ToRequest.
}
