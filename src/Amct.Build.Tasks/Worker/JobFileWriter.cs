using System.Collections.Generic;
using System.Linq;
using Amct.Build.Tasks.Json;
using Amct.Build.Tasks.Planning;
using Amct.Build.Tasks.Settings;
using Amct.Engine.Settings;

namespace Amct.Build.Tasks.Worker;

/// <summary>
/// Writes the job file <c>amct job</c> reads (the worker's Job/JobFile.cs is the other side): per model, the item, the
/// model path and its settings keyed by command-line flag and written as the command line writes them, so the worker
/// reads them with the same code as <c>amct quantize</c>. Only settings that are set are written.
/// </summary>
internal static class JobFileWriter
{
    public static string Write(string projectFile, IEnumerable<ModelPlan> plans)
    {
        var json = new JsonWriter().StartObject()
            .String("format", SettingList.JobFormat)
            .String("project", projectFile)
            .StartArray("models");
        foreach (var plan in plans)
        {
            json.StartObject()
                .String("item", plan.Item)
                .String("model", plan.ModelPath)
                .StartObject("settings")
                .String(SettingList.OutputDirectory.Flag!, plan.OutputDirectory)
                .String(SettingList.OutputName.Flag!, plan.OutputName);
            foreach (var setting in SettingList.All.Where(ModelSettings.PassedToWorker))
            {
                if (plan.Settings[setting] is { } value)
                {
                    json.String(setting.Flag!, Setting.Format(value));
                }
            }
            json.EndObject().EndObject();
        }
        return json.EndArray().EndObject().ToString() + "\n";
    }
}
