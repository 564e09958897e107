using Amct.Engine.Onnx;

namespace Amct.Engine.Graph;

/// <summary>
/// Before IR version 4 every initializer also had to be listed as a graph input, and such an input is a constant:
/// ONNX Runtime ignores a value fed for it (and warns once per listed initializer when loading). For an IR &lt; 4
/// model those entries are dropped from the inputs so the graph says what it means (the weights are constants, and
/// the quantizer sees them as such), and the IR version is raised to 4, whose format no longer requires the listing.
/// From IR 4 on, an input with an initializer is an input with a default value the caller may override; it stays.
/// </summary>
public static class InitializerInputs
{
    /// <summary>The first IR version in which initializers need not be graph inputs.</summary>
    public const long UnlistedFromIrVersion = 4;

    /// <summary>Removes initializer entries from the graph inputs of an IR &lt; 4 model; returns their names.</summary>
    public static IReadOnlyList<string> Apply(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.IrVersion >= UnlistedFromIrVersion)
        {
            return [];
        }
        var graph = model.Graph;
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var listed = graph.Input.Where(i => initializers.Contains(i.Name)).Select(i => i.Name).ToList();
        // Rebuilt rather than removed one by one: protobuf's Remove compares whole messages.
        var kept = graph.Input.Where(i => !initializers.Contains(i.Name)).ToList();
        graph.Input.Clear();
        graph.Input.AddRange(kept);
        model.IrVersion = UnlistedFromIrVersion;
        return listed;
    }
}
