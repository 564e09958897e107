using System.Text.Json;
using Amct.Engine;
using Amct.Engine.Settings;

namespace Amct.Cli.Job;

/// <summary>
/// The job file the MSBuild task writes for <c>amct job</c> (format <see cref="SettingList.JobFormat"/>): every model of
/// one project with its item, its model path and its settings, keyed by command-line flag and written as the command
/// line writes them, so that <see cref="Options.QuantizeOptions"/> reads them exactly as it reads <c>amct quantize</c>.
/// The file is read element by element: a damaged entry fails that model alone, with a coded error, and the others
/// still run (and the result file is still written).
/// </summary>
internal sealed record JobFile(string Path, string Project, IReadOnlyList<JobModel> Models)
{
    public static JobFile Read(string path)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(fullPath));
            root = document.RootElement.Clone();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Invalid(fullPath, $"cannot read the job file: {e.Message}");
        }
        catch (JsonException e)
        {
            throw Invalid(fullPath, $"the job file is not valid JSON: {e.Message}");
        }
        var format = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String
            ? f.GetString() : null;
        if (format != SettingList.JobFormat)
        {
            throw Invalid(fullPath, $"the job file has format '{format}', but this amct reads '{SettingList.JobFormat}'");
        }
        var project = Text(root, "project");
        if (project is null || !IsPath(project))
        {
            throw Invalid(fullPath, "the job file's \"project\" is not a path");
        }
        if (!root.TryGetProperty("models", out var models) || models.ValueKind != JsonValueKind.Array)
        {
            throw Invalid(fullPath, "the job file's \"models\" is not a list");
        }
        var unknown = root.EnumerateObject().Select(p => p.Name).FirstOrDefault(n => n is not ("format" or "project" or "models"));
        if (unknown is not null)
        {
            throw Invalid(fullPath, $"the job file has an unknown field \"{unknown}\"");
        }
        return new JobFile(fullPath, project, models.EnumerateArray().Select((m, i) => JobModel.Read(m, i)).ToList());
    }

    public static AmctException Invalid(string path, string problem) => new(ErrorCodes.JobFileInvalid, path,
        $"{problem}. The Amct.Build task and the amct worker come from different versions; restore the package again.");

    internal static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    internal static bool IsPath(string text) => text.Trim().Length > 0 && text.IndexOfAny(['\0', '\n', '\r']) < 0;
}

/// <summary>
/// One model of a job: the AmctModel item (for messages), the model path and its settings as text by flag; or, for a
/// damaged entry, <see cref="Problem"/> says what is wrong with it.
/// </summary>
internal sealed record JobModel(string Item, string Model, IReadOnlyList<KeyValuePair<Setting, string>> Settings, string? Problem)
{
    public static JobModel Read(JsonElement entry, int index)
    {
        var label = $"models[{index}]";
        if (entry.ValueKind != JsonValueKind.Object)
        {
            return Damaged(label, "", $"{label} is {entry.ValueKind}, not an object");
        }
        var item = JobFile.Text(entry, "item");
        var model = JobFile.Text(entry, "model");
        if (item is null || !JobFile.IsPath(item))
        {
            return Damaged(label, model ?? "", $"{label}.item is not a name");
        }
        if (model is null || !JobFile.IsPath(model))
        {
            return Damaged(item, "", $"{label}.model is not a path");
        }
        var settings = new List<KeyValuePair<Setting, string>>();
        if (entry.TryGetProperty("settings", out var values))
        {
            if (values.ValueKind != JsonValueKind.Object)
            {
                return Damaged(item, model, $"{label}.settings is {values.ValueKind}, not an object");
            }
            foreach (var value in values.EnumerateObject())
            {
                if (SettingList.All.FirstOrDefault(s => s.OnCommandLine && s.Flag == value.Name) is not { } setting)
                {
                    return Damaged(item, model, $"{label}.settings has an unknown setting \"{value.Name}\"");
                }
                if (value.Value.ValueKind != JsonValueKind.String)
                {
                    return Damaged(item, model, $"{label}.settings.{value.Name} is {value.Value.ValueKind}, not text");
                }
                settings.Add(new(setting, value.Value.GetString()!));
            }
        }
        var unknown = entry.EnumerateObject().Select(p => p.Name).FirstOrDefault(n => n is not ("item" or "model" or "settings"));
        return unknown is null ? new JobModel(item, model, settings, null)
            : Damaged(item, model, $"{label} has an unknown field \"{unknown}\"");
    }

    private static JobModel Damaged(string item, string model, string problem) => new(item, model, [], problem);
}
