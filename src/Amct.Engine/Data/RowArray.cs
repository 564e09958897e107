using Amct.Engine.Onnx;

namespace Amct.Engine.Data;

/// <summary>
/// An array of samples stacked along axis 0, as one data file (or one entry of a file) holds it. Its element type
/// and shape are known as soon as it is opened (from a header), so every check on shapes and types runs before any
/// sample is read; the rows themselves are read one at a time, in order, by <see cref="OpenRows"/>.
/// </summary>
internal abstract class RowArray
{
    protected RowArray(string path, string key, string label, int elementType, IReadOnlyList<long> shape)
    {
        Path = path;
        Key = key;
        Label = label;
        ElementType = elementType;
        Shape = shape;
    }

    /// <summary>The file that holds the array: the target of errors about it.</summary>
    public string Path { get; }

    /// <summary>The name that matches the array to a model input (a file name, an .npz key, a tensor name).</summary>
    public string Key { get; }

    /// <summary>How messages name the array, e.g. "'calib.npy'" or "entry 'x' of 'data.npz'".</summary>
    public string Label { get; }

    /// <summary>The ONNX element type of the elements.</summary>
    public int ElementType { get; }

    /// <summary>The full shape, axis 0 first.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>How many rows (samples) the array holds; 0 for a rank-0 array, which holds no rows.</summary>
    public long RowCount => Shape.Count == 0 ? 0 : Shape[0];

    /// <summary>
    /// Bytes one row takes, or <see cref="long.MaxValue"/> when that overflows (possible in a hostile header whose
    /// first dimension is 0, so the whole array is empty while a row is enormous).
    /// </summary>
    public long RowByteLength
    {
        get
        {
            try
            {
                long elements = 1;
                for (var i = 1; i < Shape.Count; i++)
                {
                    elements = checked(elements * Shape[i]);
                }
                return DataTypes.RawByteLength(ElementType, elements);
            }
            catch (OverflowException)
            {
                return long.MaxValue;
            }
        }
    }

    /// <summary>Starts reading the rows from the first. The caller disposes the reader.</summary>
    public abstract IRowReader OpenRows();
}

/// <summary>Reads the rows of a <see cref="RowArray"/> one at a time, in order.</summary>
internal interface IRowReader : IDisposable
{
    /// <summary>The next row's bytes, in a new array the caller owns.</summary>
    byte[] ReadRow();
}
