using Amct.Engine.Onnx;

namespace Amct.Engine.Data;

/// <summary>
/// An input the model expects to be fed: its name, element type and shape. A null dimension is dynamic (symbolic or
/// unknown) and takes whatever size the data has.
/// </summary>
public sealed record ModelInput(string Name, int ElementType, IReadOnlyList<long?> Shape)
{
    /// <summary>Each dimension's symbolic name (dim_param), or null where it has none; empty when not read from a model.</summary>
    public IReadOnlyList<string?> DimNames { get; init; } = [];

    /// <summary>
    /// True when the input is fed one whole tensor per sample, with no batch axis added: the model's inputs share no
    /// batch axis (see <see cref="InputFeed"/>), so every sample is one complete run of the model.
    /// </summary>
    public bool Whole { get; init; }

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
                var names = tensorType?.Shape?.Dim
                    .Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam && d.DimParam.Length > 0
                        ? d.DimParam
                        : null)
                    .ToList() ?? [];
                return new ModelInput(input.Name, tensorType?.ElemType ?? 0, shape) { DimNames = names };
            })
            .ToList();
    }

    /// <summary>The shape as text, dynamic dims as "?", e.g. [?,3,224,224].</summary>
    public string ShapeText => "[" + string.Join(",", Shape.Select(d => d?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?")) + "]";
}
