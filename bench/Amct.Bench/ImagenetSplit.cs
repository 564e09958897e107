namespace Amct.Bench;

/// <summary>
/// The imagenet-dev photos split as issue 3 measures SqueezeNet: the first 100 (by file name) to calibrate on, the other
/// 200 to evaluate on. Each part is a folder of links to the shared photos plus its own labels CSV (the photos
/// themselves are never copied).
/// </summary>
internal static class ImagenetSplit
{
    public static (string Calibration, string Evaluation, string Labels) Create(string scratch)
    {
        var source = Path.Combine(BenchModel.SharedData, "imagenet-dev");
        var lines = File.ReadAllLines(Path.Combine(source, "labels.csv"));
        var rows = lines.Skip(1).Order(StringComparer.Ordinal).ToList();
        var calibration = Folder(scratch, "imagenet-calib", source, rows.Take(100));
        var evaluation = Folder(scratch, "imagenet-eval", source, rows.Skip(100));
        var labels = Path.Combine(scratch, "imagenet-eval-labels.csv");
        File.WriteAllLines(labels, rows.Skip(100).Prepend(lines[0]));
        return (calibration, evaluation, labels);
    }

    private static string Folder(string scratch, string name, string source, IEnumerable<string> rows)
    {
        var folder = Path.Combine(scratch, name);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
        Directory.CreateDirectory(folder);
        foreach (var file in rows.Select(r => r.Split(',')[0]))
        {
            File.CreateSymbolicLink(Path.Combine(folder, file), Path.Combine(source, "images", file));
        }
        return folder;
    }
}
