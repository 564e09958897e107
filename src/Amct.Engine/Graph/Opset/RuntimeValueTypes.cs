using Amct.Engine.Onnx;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace Amct.Engine.Graph.Opset;

/// <summary>
/// The element type and shape of every value of a model's main graph as ONNX Runtime infers them when it loads the
/// ORIGINAL model: every node output is declared a graph output (without a type) and the session's output metadata
/// read back. ONNX Runtime implements every operator's type and shape rules at every opset it runs, so an upgrade
/// never needs a re-export because a value's type was only known by inference (a PaddlePaddle opset-9 Clip of an
/// Add). Values inside subgraphs are not graph outputs and are not covered. A model ONNX Runtime cannot load gives
/// nothing, and the upgrade falls back on what the model declares.
/// </summary>
internal static class RuntimeValueTypes
{
    public static IReadOnlyDictionary<string, TensorHint> Of(ModelProto model)
    {
        var copy = model.Clone();
        var graph = copy.Graph;
        var outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var value in graph.Node.SelectMany(n => n.Output).Where(o => o.Length > 0 && outputs.Add(o)))
        {
            graph.Output.Add(new ValueInfoProto { Name = value });
        }
        var hints = new Dictionary<string, TensorHint>(StringComparer.Ordinal);
        // A model over protobuf's 2 GB cannot be handed over as bytes; its declared types have to do.
        if (copy.CalculateSize() >= int.MaxValue)
        {
            return hints;
        }
        try
        {
            using var options = SessionFactory.CreateOptions();
            options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL;
            using var session = new InferenceSession(copy.ToByteArray(), options);
            foreach (var (name, metadata) in session.OutputMetadata.Where(m => m.Value.IsTensor))
            {
                // An empty dims list is either a scalar or an unknown shape: only the element type is taken then.
                var dims = metadata.Dimensions.Length > 0 ? metadata.Dimensions.Select(d => (long)d).ToList() : null;
                hints[name] = new TensorHint((int)metadata.ElementDataType, dims);
            }
        }
        catch (OnnxRuntimeException)
        {
            hints.Clear();
        }
        return hints;
    }
}
