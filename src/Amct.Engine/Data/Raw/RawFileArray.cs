using Amct.Engine.Onnx;

namespace Amct.Engine.Data.Raw;

/// <summary>
/// A raw .bin file: values back to back with no header (numpy's <c>array.tofile</c>), read as the declared shape
/// and element type, its first dimension stacking samples. The length is checked when the file is opened.
/// </summary>
internal sealed class RawFileArray : RowArray
{
    private RawFileArray(string path, string key, int elementType, IReadOnlyList<long> shape)
        : base(path, key, $"'{System.IO.Path.GetFileName(path)}'", elementType, shape)
    {
    }

    /// <summary>The file at <paramref name="path"/> read as <paramref name="shape"/> of <paramref name="elementType"/>.</summary>
    /// <param name="path">A full path.</param>
    /// <param name="input">The input the file feeds (the array's key).</param>
    /// <param name="shape">The declared shape, batch dimension first.</param>
    /// <param name="elementType">The declared ONNX element type.</param>
    /// <param name="declaration">How the user declared shape and type, for the error message.</param>
    public static RawFileArray Open(string path, string input, IReadOnlyList<long> shape, int elementType, string declaration)
    {
        long length;
        try
        {
            length = new FileInfo(path).Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DataErrors.Unreadable(path, e);
        }
        var elements = shape.Aggregate(1L, (product, dim) => checked(product * dim));
        var expected = DataTypes.RawByteLength(elementType, elements);
        if (length != expected)
        {
            throw new AmctException(ErrorCodes.RawSizeMismatch, path,
                $"the file holds {DataErrors.Count(length)} bytes, but {declaration} takes {DataErrors.Count(expected)} " +
                $"({DataErrors.Count(elements)} values of {DataTypes.Name(elementType)}){Hint(length, elements, elementType)}. " +
                "Each .bin file must hold exactly one array of the declared shape and type (numpy: " +
                "array.astype(dtype).tofile(path)); fix the declaration or write the file again.");
        }
        return new RawFileArray(path, input, elementType, shape);
    }

    public override IRowReader OpenRows() => FileRowReader.Open(this, 0);

    /// <summary>Says which other element type the length would fit, the usual mistake (float64 data saved for float32).</summary>
    private static string Hint(long length, long elements, int declaredType)
    {
        int[] candidates = [DataTypes.Float, DataTypes.Double, DataTypes.Float16, DataTypes.UInt8, DataTypes.Int32, DataTypes.Int64];
        var fits = candidates
            .Where(type => type != declaredType
                && DataTypes.BitsPerElement(type) != DataTypes.BitsPerElement(declaredType)
                && DataTypes.RawByteLength(type, elements) == length)
            .Select(DataTypes.Name)
            .ToList();
        return fits.Count == 0 ? "" : $"; the length would fit {string.Join(" or ", fits)} values of that shape";
    }
}
