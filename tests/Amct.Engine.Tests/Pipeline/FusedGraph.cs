using Amct.Engine.Latency;
using Amct.Engine.Onnx;
using Amct.TestSupport;
using Microsoft.ML.OnnxRuntime;

namespace Amct.Engine.Tests.Pipeline;

/// <summary>The graph ONNX Runtime actually runs: the model after its optimizer, written out and counted by op type.</summary>
internal static class FusedGraph
{
    public static Dictionary<string, int> OpCounts(string modelPath)
    {
        using var temp = new TempFolder();
        var optimized = temp.File("optimized.onnx");
        using (var options = SessionFactory.CreateOptions())
        {
            options.OptimizedModelFilePath = optimized;
            using var session = new InferenceSession(modelPath, options);
        }
        return FusedOps.Read(optimized).ToDictionary(o => o.OpType, o => o.Count);
    }
}
