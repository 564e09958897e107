using System;
using System.Collections.Generic;
using System.Linq;
using Amct.Build.Tasks.Json;

namespace Amct.Build.Tasks.Worker;

/// <summary>One model's outcome in the worker's result file (format amct-job-result/1).</summary>
internal sealed class ModelOutcome
{
    public ModelOutcome(string model, bool succeeded, IReadOnlyList<string> files, IReadOnlyList<string> inputs, string? summary)
    {
        Model = model;
        Succeeded = succeeded;
        Files = files;
        Inputs = inputs;
        Summary = summary;
    }

    public string Model { get; }
    public bool Succeeded { get; }

    /// <summary>Every file written for the model.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>The model's own files (the .onnx and its external data).</summary>
    public IReadOnlyList<string> Inputs { get; }

    public string? Summary { get; }
}

/// <summary>Reads the result file the worker writes at the end of <c>amct job</c>.</summary>
internal static class JobResult
{
    public const string Format = "amct-job-result/1";

    /// <exception cref="FormatException">The text is not a result file of this format.</exception>
    public static IReadOnlyList<ModelOutcome> Parse(string text)
    {
        if (JsonReader.Parse(text) is not Dictionary<string, object?> root || root.GetValueOrDefault("format") as string != Format)
        {
            throw new FormatException($"not a result file of format {Format}");
        }
        if (root.GetValueOrDefault("models") is not List<object?> models)
        {
            throw new FormatException("no models list");
        }
        return models.Select(m => m as Dictionary<string, object?> ?? throw new FormatException("a model entry is not an object"))
            .Select(m => new ModelOutcome(
                m.GetValueOrDefault("model") as string ?? throw new FormatException("a model entry has no model path"),
                m.GetValueOrDefault("succeeded") as bool? ?? false,
                Strings(m.GetValueOrDefault("files")),
                Strings(m.GetValueOrDefault("inputs")),
                m.GetValueOrDefault("summary") as string))
            .ToList();
    }

    private static List<string> Strings(object? value) =>
        (value as List<object?> ?? []).OfType<string>().ToList();

    private static TValue? GetValueOrDefault<TValue>(this Dictionary<string, TValue> dictionary, string key) =>
        dictionary.TryGetValue(key, out var value) ? value : default;
}
