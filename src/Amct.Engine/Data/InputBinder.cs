using Amct.Engine.Onnx;

namespace Amct.Engine.Data;

/// <summary>
/// Checks that an array can feed a model input, sample by sample, and works out each sample's shape. All checks use
/// the array's header only, so they run before any data is read.
/// </summary>
internal static class InputBinder
{
    /// <summary>
    /// Every input must have a batch axis to split samples along: a rank-0 input has none. ModelInput gives an
    /// input without a declared shape an empty shape too, and it cannot be matched against data either. Inputs
    /// must also agree on any fixed batch size.
    /// </summary>
    public static void CheckBatchable(IReadOnlyList<ModelInput> inputs, string path)
    {
        if (SampleBatches.AreWhole(inputs))
        {
            return;
        }
        foreach (var input in inputs.Where(i => i.Shape.Count == 0))
        {
            throw new AmctException(ErrorCodes.InputNotBatchable, path,
                $"input '{input.Name}' is a scalar (rank 0) or declares no shape, so it has no batch axis to split " +
                "samples along. Export the model with a shape on that input whose first dimension is the batch.");
        }
        // Inputs that fix different batch sizes cannot be fed any samples: say so before any data is read.
        SampleBatches.FixedBatchSize(inputs, path);
    }

    /// <summary>
    /// Binds <paramref name="array"/> to <paramref name="input"/>. A row must have the input's shape without its first
    /// dimension (dynamic dims match any size); when the input's first dimension is a fixed 1, a row may also have
    /// the full input shape (e.g. [100,1,3,224,224] for [1,3,224,224]), the shape a list of single-sample batches has.
    /// </summary>
    public static InputBinding Bind(ModelInput input, RowArray array)
    {
        CheckType(input, array);
        return input.Whole ? BindWhole(input, array) : BindRows(input, array);
    }

    private static void CheckType(ModelInput input, RowArray array)
    {
        if (array.ElementType != input.ElementType)
        {
            var want = DataTypes.Name(input.ElementType);
            throw new AmctException(ErrorCodes.DataTypeMismatch, array.Path,
                $"input '{input.Name}' {input.ShapeText} takes {want} but {array.Label} holds " +
                $"{DataTypes.Name(array.ElementType)}. Convert the data to {want} before saving it " +
                $"(numpy: array.astype(numpy.{want})).");
        }
    }

    /// <summary>
    /// An input fed whole: an array shaped like the input (dynamic dims match any size) is one sample; an array with
    /// one more axis in front stacks such samples.
    /// </summary>
    private static InputBinding BindWhole(ModelInput input, RowArray array)
    {
        var shape = array.Shape.ToArray();
        if (Fits(shape, input.Shape))
        {
            return CheckedBinding(input, new SingleRowArray(array), shape);
        }
        if (shape.Length == input.Shape.Count + 1 && Fits(shape[1..], input.Shape))
        {
            return CheckedBinding(input, array, shape[1..]);
        }
        throw new AmctException(ErrorCodes.DataShapeMismatch, array.Path,
            $"input '{input.Name}' ({DataErrors.Describe(input)}) is fed whole, one tensor per run (the model's inputs " +
            $"share no batch axis), but {array.Label} has shape {DataErrors.Dims(shape)}. Give one array shaped like the " +
            "input, or such arrays stacked along a new first axis.");
    }

    private static InputBinding BindRows(ModelInput input, RowArray array)
    {
        if (array.Shape.Count == 0)
        {
            throw new AmctException(ErrorCodes.DataShapeMismatch, array.Path,
                $"{array.Label} holds a single value (a 0-d array), not samples stacked along axis 0. Save the " +
                $"samples for input '{input.Name}' as one array of shape [N,{string.Join(",", SampleShapeText(input))}].");
        }
        var rowShape = array.Shape.Skip(1).ToArray();
        if (Fits(rowShape, input.Shape.Skip(1).ToArray()))
        {
            return CheckedBinding(input, array, rowShape);
        }
        if (input.Shape[0] == 1 && Fits(rowShape, input.Shape))
        {
            // Each row is a whole [1,...] batch: drop the 1 so the sample has the same shape as in the other layout.
            return CheckedBinding(input, array, rowShape[1..]);
        }
        var fullShapeHint = input.Shape[0] == 1 ? $" (or the full input shape {input.ShapeText})" : "";
        throw new AmctException(ErrorCodes.DataShapeMismatch, array.Path,
            $"input '{input.Name}' ({DataErrors.Describe(input)}) takes samples of shape " +
            $"[{string.Join(",", SampleShapeText(input))}] but {array.Label} holds {DataErrors.Count(array.RowCount)} " +
            $"samples of shape {DataErrors.Dims(rowShape)} (array shape {DataErrors.Dims(array.Shape)}). Stack the " +
            $"samples along axis 0, each shaped like the input without its first dimension{fullShapeHint}.");
    }

    private static InputBinding CheckedBinding(ModelInput input, RowArray array, long[] rowShape)
    {
        // A row becomes one byte array and one tensor; .NET arrays stop just short of 2 GB.
        if (array.RowByteLength > Array.MaxLength)
        {
            throw new AmctException(ErrorCodes.DataShapeMismatch, array.Path,
                $"one sample of {array.Label} for input '{input.Name}' takes {DataErrors.Count(array.RowByteLength)} " +
                "bytes, more than the 2 GB a tensor can hold here. Use smaller samples.");
        }
        return new InputBinding(input, array, rowShape);
    }

    private static bool Fits(long[] rowShape, IReadOnlyList<long?> expected) =>
        rowShape.Length == expected.Count
        && rowShape.Zip(expected).All(pair => pair.Second is null || pair.Second == pair.First);

    private static IEnumerable<string> SampleShapeText(ModelInput input) =>
        input.Shape.Skip(1).Select(d => d is { } size ? DataErrors.Count(size) : "?");
}
