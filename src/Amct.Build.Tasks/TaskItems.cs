using System.Collections.Generic;
using System.Linq;
using Amct.Build.Tasks.Planning;
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

    public static void Report(this TaskLoggingHelper log, Diagnostic diagnostic) =>
        log.LogError(null, diagnostic.Code, null, HelpLinks.For(diagnostic.Code), diagnostic.File, 0, 0, 0, 0, "{0}", diagnostic.Message);
}
