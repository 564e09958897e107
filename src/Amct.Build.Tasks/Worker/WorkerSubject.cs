using System;
using System.Linq;
using Amct.Engine.Settings;

namespace Amct.Build.Tasks.Worker;

/// <summary>
/// What a worker error placed at the project file is about. The worker cannot know positions in the project, so it
/// writes errors about a setting or a layer as <c>project: error CODE: AmctModel 'item': Setting: message</c> (the
/// CLI's Job/JobLog.cs ErrorLocation); this reads that prefix back, so the task can add the item's line and column, or
/// the metadata's when the target is a setting name.
/// </summary>
internal static class WorkerSubject
{
    private const string Prefix = "AmctModel '";

    /// <summary>The line as a diagnostic naming its item (and metadata), or null when it names no item of the project.</summary>
    public static Diagnostic? Read(WorkerLine line, string projectFile)
    {
        if (line.Line != 0 || line.Code is null || line.Message is not { } message ||
            !string.Equals(line.File, projectFile, StringComparison.OrdinalIgnoreCase) ||
            !message.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }
        var end = message.IndexOf("': ", Prefix.Length, StringComparison.Ordinal);
        if (end < 0)
        {
            return null;
        }
        var item = message.Substring(Prefix.Length, end - Prefix.Length);
        var rest = message.Substring(end + 3);
        var colon = rest.IndexOf(": ", StringComparison.Ordinal);
        var target = colon > 0 ? rest.Substring(0, colon) : null;
        var metadata = SettingList.All.FirstOrDefault(s => s.InMSBuild && s.Name == target)?.Name;
        return new Diagnostic(line.Code, projectFile, message, item, metadata);
    }
}
