using System.Globalization;

namespace Amct.Bench;

/// <summary>
/// Fisher's iris rows of ../shared/data/iris-mlp/Iris.csv split for the small-classifier case of the method study:
/// every third row (50) to calibrate on, the other 100 to evaluate, with their class indices (species in sorted order,
/// as the model's labels.npy numbers them).
/// </summary>
internal static class IrisSplit
{
    public static (string Calibration, string Evaluation, string Labels) Create(string scratch)
    {
        var rows = File.ReadAllLines(Path.Combine(BenchModel.SharedData, "iris-mlp", "Iris.csv")).Skip(1)
            .Select(line => line.Split(','))
            .Select(cells => (Features: cells[1..5].Select(c => float.Parse(c, CultureInfo.InvariantCulture)).ToArray(), Species: cells[5]))
            .ToList();
        var species = rows.Select(r => r.Species).Distinct().Order(StringComparer.Ordinal).ToList();
        var calibration = rows.Where((_, i) => i % 3 == 0).ToList();
        var evaluation = rows.Where((_, i) => i % 3 != 0).ToList();
        var paths = (Path.Combine(scratch, "iris-calib.npy"), Path.Combine(scratch, "iris-eval.npy"), Path.Combine(scratch, "iris-eval-labels.npy"));
        Npy.WriteFloat32(paths.Item1, [calibration.Count, 4], i => calibration[i].Features);
        Npy.WriteFloat32(paths.Item2, [evaluation.Count, 4], i => evaluation[i].Features);
        Npy.WriteInt64(paths.Item3, evaluation.Select(r => (long)species.IndexOf(r.Species)).ToList());
        return paths;
    }
}
