using Amct.Engine.Onnx;

namespace Amct.Engine.Graph.Opset.Adapters;

/// <summary>
/// Scalars of a float element type, for attributes that became inputs of the data's type (Clip min/max, Pad value).
/// Before opset 11 those operators only took float16, float and double data.
/// </summary>
internal static class ScalarConstants
{
    /// <summary>A rank-0 tensor of <paramref name="elementType"/> holding <paramref name="value"/>, or null for a
    /// type other than float16, float or double.</summary>
    public static TensorProto? Of(int elementType, float value) => elementType switch
    {
        DataTypes.Float => TensorData.FromArray<float>("", [], [value]),
        DataTypes.Double => TensorData.FromArray<double>("", [], [value]),
        DataTypes.Float16 => TensorData.FromArray<Half>("", [], [(Half)value]),
        _ => null,
    };
}
