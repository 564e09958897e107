using Amct.Engine.Onnx;

namespace Amct.Engine.Graph.Opset.Adapters;

/// <summary>One integer attribute that became an int64 1-D input: its name, the input position, and whether the
/// operator requires it.</summary>
internal sealed record MovedAttribute(string Attribute, int Input, bool Required = false);

/// <summary>
/// For operators whose integer-list attributes became int64 inputs with the same meaning, from opset
/// <c>changedAt</c> on: Squeeze, Unsqueeze and ReduceSum <c>axes</c> (13), Split <c>split</c> (13), TopK <c>k</c>
/// (10, a one-element 1-D tensor), Slice <c>starts</c>/<c>ends</c>/<c>axes</c> (10), Reshape <c>shape</c> (5).
/// Each attribute becomes a new int64 initializer; an absent optional attribute stays absent (same default). A node
/// of a later version that still carries the old attribute (Reshape's <c>shape</c> from some old exporters) is
/// converted the same way.
/// </summary>
internal sealed class AttributeToInputUpgrade(long changedAt, params MovedAttribute[] moved) : IOpUpgrade
{
    public void Upgrade(NodeProto node, UpgradeContext context)
    {
        var oldVersion = context.SourceOpset < changedAt;
        if (!oldVersion && !moved.Any(m => NodeAttributes.Has(node, m.Attribute)))
        {
            context.Emit(node);
            return;
        }
        // A stale legacy attribute some exporters still write; it has no meaning.
        NodeAttributes.Remove(node, "consumed_inputs");
        foreach (var item in moved)
        {
            var attribute = NodeAttributes.Find(node, item.Attribute);
            if (attribute is null)
            {
                if (item.Required && oldVersion)
                {
                    throw context.CannotConvert(node, $"it has no '{item.Attribute}' attribute, which this operator requires");
                }
                continue;
            }
            // TopK's k is a single INT; the others are INTS.
            long[] values = attribute.Type == AttributeProto.Types.AttributeType.Int ? [attribute.I] : attribute.Ints.ToArray();
            var tensor = TensorData.FromArray<long>("", [values.Length], values);
            UpgradeContext.SetInput(node, item.Input, context.AddInitializer($"{LayerNames.Of(node)}_{item.Attribute}", tensor));
            NodeAttributes.Remove(node, item.Attribute);
        }
        context.Emit(node);
    }
}
