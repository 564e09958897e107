using Amct.Engine.Onnx;

namespace Amct.Engine.Data.Npy;

/// <summary>
/// Maps an .npy <c>descr</c> (numpy's dtype string, e.g. <c>&lt;f4</c>: byte order, kind, item size) to the ONNX
/// element type with the same bytes, and rejects what no model input can take with a message that says how to
/// convert it.
/// </summary>
internal static class NpyDescr
{
    private static readonly Dictionary<string, int> ElementTypes = new(StringComparer.Ordinal)
    {
        ["f2"] = DataTypes.Float16,
        ["f4"] = DataTypes.Float,
        ["f8"] = DataTypes.Double,
        ["i1"] = DataTypes.Int8,
        ["u1"] = DataTypes.UInt8,
        ["i2"] = DataTypes.Int16,
        ["u2"] = DataTypes.UInt16,
        ["i4"] = DataTypes.Int32,
        ["u4"] = DataTypes.UInt32,
        ["i8"] = DataTypes.Int64,
        ["u8"] = DataTypes.UInt64,
        ["b1"] = DataTypes.Bool,
    };

    /// <summary>The ONNX element type for a descr value from the header (a string, or a list for structured dtypes).</summary>
    public static int ToElementType(object? descr, string path, string label)
    {
        if (descr is not string text)
        {
            throw Unsupported(path, label, "a structured (record) dtype",
                "Save each field as its own array, named after the model input it feeds.");
        }
        // '<' little-endian, '|' byte order does not apply, '=' native: the platforms .NET runs this on are all
        // little-endian, like ONNX raw_data. Big-endian bytes would need swapping, which we leave to numpy.
        var hasOrder = text.Length > 0 && text[0] is '<' or '>' or '|' or '=';
        var order = hasOrder ? text[0] : '=';
        var typeCode = hasOrder ? text[1..] : text;
        if (ElementTypes.TryGetValue(typeCode, out var elementType))
        {
            if (order == '>' && DataTypes.BitsPerElement(elementType) > 8)
            {
                throw Unsupported(path, label, $"big-endian {DataTypes.Name(elementType)} ('{text}')",
                    $"Convert it to little-endian before saving: array.astype('<{typeCode}').");
            }
            return elementType;
        }
        var kind = typeCode.FirstOrDefault();
        throw kind switch
        {
            'O' => Unsupported(path, label, "Python objects (dtype object)",
                "Save a numeric array instead: numpy.stack(samples).astype(numpy.float32), for example."),
            'U' or 'S' or 'a' => Unsupported(path, label, $"strings ('{text}')",
                "Models here take numeric inputs; save the numeric data the model expects."),
            'c' => Unsupported(path, label, $"complex numbers ('{text}')",
                "Save the real-valued data the model expects."),
            _ => Unsupported(path, label, $"dtype '{text}'",
                "Supported dtypes are float16/32/64, int8/16/32/64, uint8/16/32/64 and bool; convert with array.astype(...)."),
        };
    }

    private static AmctException Unsupported(string path, string label, string what, string todo) =>
        new(ErrorCodes.DataTypeUnsupported, path, $"{label} holds {what}, which cannot be fed to a model. {todo}");
}
