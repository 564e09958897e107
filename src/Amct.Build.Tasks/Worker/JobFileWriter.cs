using System.Collections.Generic;
using Amct.Build.Tasks.Json;
using Amct.Build.Tasks.Planning;
using Amct.Build.Tasks.Settings;

namespace Amct.Build.Tasks.Worker;

/// <summary>
/// Writes the job file <c>amct job</c> reads (format amct-job/1; the worker's Job/JobFile.cs is the other side):
/// one entry per model with every setting the worker uses, already checked and in the worker's spelling.
/// </summary>
internal static class JobFileWriter
{
    public const string Format = "amct-job/1";

    public static string Write(string projectFile, IEnumerable<ModelPlan> plans)
    {
        var json = new JsonWriter().StartObject()
            .String("format", Format)
            .String("project", projectFile)
            .StartArray("models");
        foreach (var plan in plans)
        {
            json.StartObject()
                .String("item", plan.Item)
                .String("model", plan.ModelPath)
                .String("outputDirectory", plan.OutputDirectory)
                .String("outputName", plan.OutputName);
            foreach (var spec in SettingSpec.All)
            {
                if (spec.JobField is { } field && plan.Settings[spec] is { } value)
                {
                    WriteValue(json, field, value);
                }
            }
            json.EndObject();
        }
        return json.EndArray().EndObject().ToString() + "\n";
    }

    private static void WriteValue(JsonWriter json, string field, object value)
    {
        switch (value)
        {
            case bool flag:
                json.Boolean(field, flag);
                break;
            case long number:
                json.Number(field, number);
                break;
            case string[] list:
                json.StartArray(field);
                foreach (var entry in list)
                {
                    json.String(null, entry);
                }
                json.EndArray();
                break;
            default:
                json.String(field, value.ToString());
                break;
        }
    }
}
