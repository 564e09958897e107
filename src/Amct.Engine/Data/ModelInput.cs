using Amct.Engine.Onnx;

namespace Amct.Engine.Data;

/// <summary>
/// An input the model expects to be fed: its name, element type and shape. A null dimension is dynamic (symbolic or
/// unknown) and takes whatever size the data has.
/// </summary>
public sealed record ModelInput(string Name, int ElementType, IReadOnlyList<long?> Shape)
{
    /// <summary>The graph inputs a caller feeds: before IR 4, initializers were listed as inputs too; they are not.</summary>
    public static IReadOnlyList<ModelInput> Of(ModelProto model)
    {
        var initializers = model.Graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        return model.Graph.Input
            .Where(input => !initializers.Contains(input.Name))
            .Select(input =>
            {
                var tensorType = input.Type?.TensorType;
                var shape = tensorType?.Shape?.Dim
                    .Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && d.DimValue > 0
                        ? d.DimValue
                        : (long?)null)
                    .ToList() ?? [];
                return new ModelInput(input.Name, tensorType?.ElemType ?? 0, shape);
            })
            .ToList();
    }

    /// <summary>The shape as text, dynamic dims as "?", e.g. [?,3,224,224].</summary>
    public string ShapeText => "[" + string.Join(",", Shape.Select(d => d?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?")) + "]";
}
