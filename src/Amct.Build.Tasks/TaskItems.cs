using System.Collections.Generic;
using System.Linq;
using Amct.Build.Tasks.Planning;
using Amct.Build.Tasks.Settings;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Amct.Build.Tasks;

/// <summary>Conversions between MSBuild items and the plain types the planning code works on.</summary>
internal static class TaskItems
{
    public static IEnumerable<ModelItem> ToModelItems(IEnumerable<ITaskItem> items) =>
        items.Select(i => new ModelItem(i.ItemSpec, i.GetMetadata("FullPath"), i.GetMetadata));

    public static ITaskItem ToItem(OutputFile file)
    {
        var item = new TaskItem(file.Path);
        item.SetMetadata("Link", file.Link);
        item.SetMetadata("CopyToOutputDirectory", file.CopyToOutputDirectory);
        item.SetMetadata("CopyToPublishDirectory", file.CopyToPublishDirectory);
        return item;
    }

    public static ITaskItem[] Files(IEnumerable<string> paths) =>
        paths.Distinct().Select(p => (ITaskItem)new TaskItem(p)).ToArray();

    public static void Report(this TaskLoggingHelper log, Diagnostic diagnostic) => log.Report(diagnostic, null);

    /// <summary>Logs an error, at the line and column of the item, metadata or property it is about when known.</summary>
    public static void Report(this TaskLoggingHelper log, Diagnostic diagnostic, ProjectPositions? positions)
    {
        var (line, column) = positions?.Of(diagnostic) ?? (0, 0);
        log.LogError(null, diagnostic.Code, null, HelpLinks.For(diagnostic.Code), diagnostic.File, line, column, 0, 0, "{0}", diagnostic.Message);
    }

    /// <summary>Logs a warning, placed like <see cref="Report(TaskLoggingHelper, Diagnostic, ProjectPositions?)"/>.</summary>
    public static void Warn(this TaskLoggingHelper log, Diagnostic diagnostic, ProjectPositions positions)
    {
        var (line, column) = positions.Of(diagnostic);
        log.LogWarning(null, diagnostic.Code, null, HelpLinks.For(diagnostic.Code), diagnostic.File, line, column, 0, 0, "{0}", diagnostic.Message);
    }
}
