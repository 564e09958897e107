using Amct.Engine.Formats;
using Amct.Engine.Onnx;

namespace Amct.Engine.Latency;

/// <summary>
/// The ops ONNX Runtime actually runs: the model as its optimizer left it (QDQ pairs fused into QLinearConv, QGemm…),
/// counted by op type. ONNX Runtime writes that graph to a temporary file while creating a session, which is read
/// here and always deleted.
/// </summary>
internal static class FusedOps
{
    /// <summary>
    /// The counts, most frequent op first (ties by name), from the optimized model at <paramref name="path"/>. Only the
    /// graph is read: tensors kept in external data (a model over 2 GB, or a candidate of the speed search whose float
    /// weights still point at the user's data file) are not needed to count nodes.
    /// </summary>
    public static IReadOnlyList<OpCount> Read(string path) =>
        ModelLoader.Parse(File.ReadAllBytes(path), path).Graph.Node
            .GroupBy(n => n.OpType, StringComparer.Ordinal)
            .Select(g => new OpCount(g.Key, g.Count()))
            .OrderByDescending(o => o.Count).ThenBy(o => o.OpType, StringComparer.Ordinal)
            .ToList();

    /// <summary>e.g. <c>QLinearConv ×4, QGemm ×2</c>.</summary>
    public static string Describe(IEnumerable<OpCount> ops) =>
        string.Join(", ", ops.Select(o => $"{o.OpType} ×{o.Count}"));
}
