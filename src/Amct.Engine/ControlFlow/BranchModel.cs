using Amct.Engine.Graph;
using Amct.Engine.Onnx;

namespace Amct.Engine.ControlFlow;

/// <summary>
/// One branch of an If node as a model of its own, so the usual plan → calibrate → QDQ steps run on it: the
/// branch's nodes and initializers, the enclosing graph's initializers it reads copied in (borrowed), and every
/// other outer value it reads made a graph input. After quantization <see cref="Restore"/> turns the result back
/// into a branch: the added inputs and the borrowed copies go, and the branch reads them from the outer scope again.
/// </summary>
/// <param name="Owner">The If node.</param>
/// <param name="Attribute">then_branch or else_branch.</param>
/// <param name="Model">The branch as a model (float).</param>
/// <param name="OuterInputs">Outer values the branch reads that are not initializers: what calibration must capture.</param>
/// <param name="Borrowed">Outer initializers copied into the branch model.</param>
internal sealed record BranchModel(NodeProto Owner, string Attribute, ModelProto Model, IReadOnlyList<string> OuterInputs,
    IReadOnlySet<string> Borrowed)
{
    public string Label => $"{Attribute} of If '{LayerNames.Of(Owner)}'";

    /// <param name="enclosing">The model holding the If node in its main graph (its opsets and IR apply).</param>
    /// <param name="owner">The If node.</param>
    /// <param name="attribute">Which branch.</param>
    /// <param name="types">Element types of the enclosing graph's values (the branch inputs' declared types).</param>
    public static BranchModel Create(ModelProto enclosing, NodeProto owner, string attribute, IReadOnlyDictionary<string, int> types)
    {
        var branch = owner.Attribute.Single(a => a.Name == attribute).G.Clone();
        var initializers = enclosing.Graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var reads = ScopeReads.Of(branch);
        var borrowed = reads.Where(initializers.ContainsKey).ToHashSet(StringComparer.Ordinal);
        var outerInputs = reads.Where(r => !borrowed.Contains(r)).ToList();
        foreach (var name in borrowed)
        {
            branch.Initializer.Add(initializers[name].Clone());
        }
        foreach (var name in outerInputs)
        {
            branch.Input.Add(new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = types.GetValueOrDefault(name) } },
            });
        }
        UniqueNodeNames.Apply(branch);
        var model = new ModelProto
        {
            IrVersion = enclosing.IrVersion,
            ProducerName = enclosing.ProducerName,
            Graph = branch,
        };
        model.OpsetImport.AddRange(enclosing.OpsetImport);
        return new BranchModel(owner, attribute, model, outerInputs, borrowed);
    }

    /// <summary>
    /// The graph of a quantized copy of <see cref="Model"/> made a branch again: added inputs removed, borrowed
    /// initializers left to the outer scope.
    /// </summary>
    public GraphProto Restore(ModelProto quantized)
    {
        var graph = quantized.Graph.Clone();
        var inputs = OuterInputs.ToHashSet(StringComparer.Ordinal);
        var keptInputs = graph.Input.Where(i => !inputs.Contains(i.Name)).ToList();
        graph.Input.Clear();
        graph.Input.AddRange(keptInputs);
        var keptInitializers = graph.Initializer.Where(t => !Borrowed.Contains(t.Name)).ToList();
        graph.Initializer.Clear();
        graph.Initializer.AddRange(keptInitializers);
        return graph;
    }
}
