using Amct.Engine.Onnx;
using Google.Protobuf;

namespace Amct.Engine.Graph;

/// <summary>Reads, writes and removes node attributes by name, with the defaults the operator schemas declare.</summary>
public static class NodeAttributes
{
    public static AttributeProto? Find(NodeProto node, string name) =>
        node.Attribute.FirstOrDefault(a => a.Name == name);

    public static bool Has(NodeProto node, string name) => Find(node, name) is not null;

    public static long GetInt(NodeProto node, string name, long defaultValue) =>
        Find(node, name) is { } attribute ? attribute.I : defaultValue;

    public static float GetFloat(NodeProto node, string name, float defaultValue) =>
        Find(node, name) is { } attribute ? attribute.F : defaultValue;

    public static string GetString(NodeProto node, string name, string defaultValue) =>
        Find(node, name) is { } attribute ? attribute.S.ToStringUtf8() : defaultValue;

    /// <summary>An INTS attribute's values, or null when the node does not have it.</summary>
    public static long[]? GetInts(NodeProto node, string name) =>
        Find(node, name) is { } attribute ? attribute.Ints.ToArray() : null;

    /// <summary>A FLOATS attribute's values, or null when the node does not have it.</summary>
    public static float[]? GetFloats(NodeProto node, string name) =>
        Find(node, name) is { } attribute ? attribute.Floats.ToArray() : null;

    /// <summary>Removes the attribute; true when the node had it.</summary>
    public static bool Remove(NodeProto node, string name)
    {
        var attribute = Find(node, name);
        return attribute is not null && node.Attribute.Remove(attribute);
    }

    public static void SetInt(NodeProto node, string name, long value) =>
        Replace(node, new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value });

    public static void SetString(NodeProto node, string name, string value) =>
        Replace(node, new AttributeProto
        {
            Name = name,
            Type = AttributeProto.Types.AttributeType.String,
            S = ByteString.CopyFromUtf8(value),
        });

    private static void Replace(NodeProto node, AttributeProto attribute)
    {
        var index = node.Attribute.ToList().FindIndex(a => a.Name == attribute.Name);
        if (index >= 0)
        {
            node.Attribute[index] = attribute;
        }
        else
        {
            node.Attribute.Add(attribute);
        }
    }
}
