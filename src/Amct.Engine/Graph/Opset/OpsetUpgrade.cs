using Amct.Engine.Graph.Opset.Adapters;
using Amct.Engine.Onnx;

namespace Amct.Engine.Graph.Opset;

/// <summary>
/// Rewrites a model written for ai.onnx opset 7–12 to opset 13, which the rest of the pipeline works with
/// (per-channel QuantizeLinear needs 13). Every ai.onnx node of the main graph must either mean the same at 13
/// (<see cref="UnchangedOperators"/>) or have an adapter below; otherwise the model is reported, naming the first
/// such node, and left untouched. Nodes of other domains are kept as they are. Opset 13 and later need nothing;
/// before 7 is reported.
/// </summary>
public static class OpsetUpgrade
{
    public const long TargetOpset = 13;

    /// <summary>The oldest opset upgraded: ONNX 1.2's, where numpy broadcasting and today's BatchNormalization,
    /// Dropout and Upsample forms begin.</summary>
    public const long OldestOpset = 7;

    private static readonly Dictionary<string, IOpUpgrade> Adapters = new(StringComparer.Ordinal)
    {
        ["Softmax"] = new SoftmaxUpgrade(),
        ["LogSoftmax"] = new SoftmaxUpgrade(),
        ["Hardmax"] = new SoftmaxUpgrade(),
        ["Squeeze"] = new AttributeToInputUpgrade(13, new MovedAttribute("axes", 1)),
        ["Unsqueeze"] = new AttributeToInputUpgrade(13, new MovedAttribute("axes", 1, Required: true)),
        ["ReduceSum"] = new AttributeToInputUpgrade(13, new MovedAttribute("axes", 1)),
        ["Split"] = new AttributeToInputUpgrade(13, new MovedAttribute("split", 1)),
        ["TopK"] = new AttributeToInputUpgrade(10, new MovedAttribute("k", 1, Required: true)),
        ["Slice"] = new AttributeToInputUpgrade(10,
            new MovedAttribute("starts", 1, Required: true), new MovedAttribute("ends", 2, Required: true), new MovedAttribute("axes", 3)),
        ["Reshape"] = new AttributeToInputUpgrade(5, new MovedAttribute("shape", 1, Required: true)),
        ["Pad"] = new PadUpgrade(),
        ["Clip"] = new ClipUpgrade(),
        ["BatchNormalization"] = new BatchNormalizationUpgrade(),
        ["Dropout"] = new DropoutUpgrade(),
        ["Upsample"] = new ResizeUpgrade(),
        ["Resize"] = new ResizeUpgrade(),
    };

    /// <summary>The operators an opset-7..12 model may use, each kept as it is or converted by an adapter.</summary>
    public static IReadOnlyCollection<string> SupportedOperators =>
        UnchangedOperators.All.Concat(Adapters.Keys).Order(StringComparer.Ordinal).ToList();

    /// <summary>The operators converted by an adapter rather than kept as they are.</summary>
    public static IReadOnlyCollection<string> AdaptedOperators => Adapters.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Upgrades the model in place. Returns the opset it was written for, or null when it needed no upgrade.
    /// </summary>
    /// <param name="model">The model; its main graph is rewritten, its opset import set to 13 and IR version to at least 7.</param>
    /// <param name="source">The model file, named in errors.</param>
    public static long? Apply(ModelProto model, string source)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph;
        var import = model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx");
        if (import is null)
        {
            var node = graph.Node.FirstOrDefault(IsDefaultDomain);
            return node is null ? null : throw new AmctException(ErrorCodes.DefaultOpsetMissing, source,
                $"node '{LayerNames.Of(node)}' ({node.OpType}) is an ai.onnx operator but the model imports no ai.onnx " +
                "operator set, so its meaning is undefined. Re-export the model.");
        }
        var opset = import.Version;
        if (opset >= TargetOpset)
        {
            return null;
        }
        if (opset < OldestOpset)
        {
            throw new AmctException(ErrorCodes.OpsetTooOld, source,
                $"the model uses ai.onnx opset {opset}; opsets before {OldestOpset} (ONNX 1.2) cannot be upgraded. " +
                "Re-export the model with opset 13 or later (for example torch.onnx.export(..., opset_version=13)).");
        }

        var context = new UpgradeContext(opset, source, graph, TensorHints.Infer(graph));
        foreach (var node in graph.Node)
        {
            Upgrade(node, context);
        }

        // Every node converted: now change the model.
        graph.Node.Clear();
        graph.Node.AddRange(context.Nodes);
        graph.Initializer.AddRange(context.NewInitializers);
        DropStaleValueInfo(graph);
        import.Version = TargetOpset;
        // Opset 13 needs IR version 7 (ONNX 1.8's format).
        model.IrVersion = Math.Max(model.IrVersion, 7);
        return opset;
    }

    private static void Upgrade(NodeProto node, UpgradeContext context)
    {
        var copy = node.Clone();
        if (!IsDefaultDomain(node))
        {
            context.Emit(copy);
        }
        else if (Adapters.TryGetValue(node.OpType, out var adapter))
        {
            adapter.Upgrade(copy, context);
        }
        else if (UnchangedOperators.Contains(node.OpType))
        {
            context.Emit(copy);
        }
        else
        {
            var why = node.OpType is "If" or "Loop" or "Scan"
                ? $"{node.OpType} holds subgraphs, which this version does not upgrade"
                : $"{node.OpType} changed meaning between opset {context.SourceOpset} and 13 (or was removed) and this " +
                  "version has no converter for it";
            throw new AmctException(ErrorCodes.OperatorNotUpgradable, context.Source,
                $"node '{LayerNames.Of(node)}' ({node.OpType}) cannot be upgraded from opset {context.SourceOpset} to 13: " +
                $"{why}. Re-export the model with opset 13 or later (for example torch.onnx.export(..., opset_version=13)).");
        }
    }

    /// <summary>Removes value_info for values the conversion dropped (an unread Dropout mask).</summary>
    private static void DropStaleValueInfo(GraphProto graph)
    {
        var values = graph.Input.Select(v => v.Name).Concat(graph.Initializer.Select(t => t.Name))
            .Concat(graph.Node.SelectMany(n => n.Output)).ToHashSet(StringComparer.Ordinal);
        var kept = graph.ValueInfo.Where(v => values.Contains(v.Name)).ToList();
        graph.ValueInfo.Clear();
        graph.ValueInfo.AddRange(kept);
    }

    private static bool IsDefaultDomain(NodeProto node) => node.Domain is "" or "ai.onnx";
}
