using Amct.Engine.Graph.Opset.Adapters;
using Amct.Engine.Onnx;

namespace Amct.Engine.Graph.Opset;

/// <summary>
/// Rewrites a model written for ai.onnx opset 6–12 to opset 13, which the rest of the pipeline works with
/// (per-channel QuantizeLinear needs 13). Every ai.onnx node must either mean the same at 13
/// (<see cref="UnchangedOperators"/>) or have an adapter below; otherwise the model is reported, naming the first
/// such node, and left untouched. The subgraphs of If, Loop and Scan are upgraded the same way, recursively. Element
/// types and shapes come from the model's declarations, from ONNX Runtime's inference on the original model
/// (<see cref="RuntimeValueTypes"/>) and from <see cref="TensorHints"/>' forward pass. Nodes of other domains are
/// kept as they are. Opset 13 and later need nothing; before 7 is reported.
/// </summary>
public static class OpsetUpgrade
{
    public const long TargetOpset = 13;

    /// <summary>The oldest opset upgraded: ONNX 1.1's (PyTorch 0.3 exports). Opset 7 (ONNX 1.2) brought numpy
    /// broadcasting and today's BatchNormalization, Dropout and Upsample forms; the operators whose version 7 changed
    /// more than that are converted by <see cref="Opset6Adapters"/> or reported.</summary>
    public const long OldestOpset = 6;

    /// <summary>The first opset of numpy broadcasting (ONNX 1.2); older models go through <see cref="Opset6Adapters"/> first.</summary>
    private const long NumpyBroadcastOpset = 7;

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
        ["Scatter"] = new ScatterUpgrade(),
    };

    /// <summary>
    /// Opset-6 forms that differ from opset 7's beyond what the opset-7 adapters handle: legacy broadcasting, and the
    /// operators whose version 7 changed in a way not converted here (reported). BatchNormalization and Dropout
    /// version 6 carry is_test/consumed_inputs, which their adapters drop.
    /// </summary>
    private static readonly Dictionary<string, IOpUpgrade?> Opset6Adapters = new(StringComparer.Ordinal)
    {
        ["Add"] = new LegacyBroadcastUpgrade(),
        ["Sub"] = new LegacyBroadcastUpgrade(),
        ["Mul"] = new LegacyBroadcastUpgrade(),
        ["Div"] = new LegacyBroadcastUpgrade(),
        ["Pow"] = new LegacyBroadcastUpgrade(),
        ["And"] = new LegacyBroadcastUpgrade(),
        ["Or"] = new LegacyBroadcastUpgrade(),
        ["Xor"] = new LegacyBroadcastUpgrade(),
        ["Equal"] = new LegacyBroadcastUpgrade(),
        ["Greater"] = new LegacyBroadcastUpgrade(),
        ["Less"] = new LegacyBroadcastUpgrade(),
        ["Gemm"] = new LegacyBroadcastUpgrade(),
        ["PRelu"] = new LegacyPReluUpgrade(),
        // RNN/GRU/LSTM 7 dropped output_sequence, which changed which outputs version 1 produced.
        ["RNN"] = null,
        ["GRU"] = null,
        ["LSTM"] = null,
    };

    /// <summary>The operators an opset-6..12 model may use, each kept as it is or converted by an adapter.</summary>
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
                $"the model uses ai.onnx opset {opset}; opsets before {OldestOpset} (ONNX 1.1) cannot be upgraded. " +
                "Re-export the model with opset 13 or later (for example torch.onnx.export(..., opset_version=13)).");
        }

        var context = new UpgradeContext(opset, source, graph, TensorHints.Infer(graph, RuntimeValueTypes.Of(model)));
        var nodes = graph.Node.ToList();
        foreach (var node in nodes)
        {
            Upgrade(node, context);
        }

        // Every node converted (subgraphs in the copies): now change the model.
        Replace(graph, context);
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
        else if (context.SourceOpset < NumpyBroadcastOpset && Opset6Adapters.TryGetValue(node.OpType, out var legacy))
        {
            if (legacy is null)
            {
                throw new AmctException(ErrorCodes.OperatorNotUpgradable, context.Source,
                    $"node '{LayerNames.Of(node)}' ({node.OpType}) cannot be upgraded from opset {context.SourceOpset} to 13: its " +
                    $"version 7 changed meaning and this version has no converter for it. Re-export the model with opset 13 " +
                    "or later (for example torch.onnx.export(..., opset_version=13)).");
            }
            legacy.Upgrade(copy, context);
        }
        else if (Adapters.TryGetValue(node.OpType, out var adapter))
        {
            adapter.Upgrade(copy, context);
        }
        else if (UnchangedOperators.Contains(node.OpType))
        {
            context.Emit(copy);
        }
        else if (node.OpType is "If" or "Loop" || (node.OpType == "Scan" && context.SourceOpset >= ScanBatchlessOpset))
        {
            // If 11 and Loop 11/13 only relax shape rules and add types; Scan 9 (opset 9) on is Scan 11/13 up to
            // negative axes. Their bodies are graphs of the same opset, upgraded node by node.
            UpgradeSubgraphs(copy, context);
            context.Emit(copy);
        }
        else
        {
            var why = node.OpType == "Scan"
                ? $"Scan version 8 scans along a batch axis with sequence lengths, a form opset 9 replaced and " +
                  "opset 13 cannot express"
                : $"{node.OpType} changed meaning between opset {context.SourceOpset} and 13 (or was removed) and this " +
                  "version has no converter for it";
            throw new AmctException(ErrorCodes.OperatorNotUpgradable, context.Source,
                $"node '{LayerNames.Of(node)}' ({node.OpType}) cannot be upgraded from opset {context.SourceOpset} to 13: " +
                $"{why}. Re-export the model with opset 13 or later (for example torch.onnx.export(..., opset_version=13)).");
        }
    }

    /// <summary>The opset whose Scan (version 9) has no batch axis, the form Scan keeps up to 13.</summary>
    private const long ScanBatchlessOpset = 9;

    /// <summary>Upgrades, in the node copy, every subgraph it holds.</summary>
    private static void UpgradeSubgraphs(NodeProto node, UpgradeContext context)
    {
        foreach (var subgraph in node.Attribute.SelectMany(a => a.Graphs.Append(a.G)).OfType<GraphProto>())
        {
            var inner = context.ForSubgraph(subgraph);
            foreach (var child in subgraph.Node.ToList())
            {
                Upgrade(child, inner);
            }
            Replace(subgraph, inner);
        }
    }

    /// <summary>Puts the converted nodes and new initializers into the graph.</summary>
    private static void Replace(GraphProto graph, UpgradeContext context)
    {
        graph.Node.Clear();
        graph.Node.AddRange(context.Nodes);
        graph.Initializer.AddRange(context.NewInitializers);
        DropStaleValueInfo(graph);
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
