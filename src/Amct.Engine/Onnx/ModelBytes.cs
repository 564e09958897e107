namespace Amct.Engine.Onnx;

/// <summary>
/// A model's size as its weights and nodes serialize, counted in a long: protobuf's own CalculateSize is an int and
/// overflows past 2 GB. Measures two models alike (inline or external data does not matter), not a file's exact length.
/// </summary>
internal static class ModelBytes
{
    public static long Of(ModelProto model) =>
        model.Graph.Initializer.Sum(t => (long)t.CalculateSize())
        + model.Graph.SparseInitializer.Sum(t => (long)t.CalculateSize())
        + model.Graph.Node.Sum(n => (long)n.CalculateSize());
}
