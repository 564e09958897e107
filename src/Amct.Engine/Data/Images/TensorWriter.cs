using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Amct.Engine.Onnx;
using Google.Protobuf;

namespace Amct.Engine.Data.Images;

/// <summary>
/// Writes the preprocessed pixels as the model input's row tensor: normalized, encoded in the element type and laid
/// out as [C,H,W] (NCHW) or [H,W,C] (NHWC). An 8-bit channel value has only 256 possible results, so each channel's
/// are encoded once into a table and writing is a lookup per element.
/// </summary>
internal sealed class TensorWriter
{
    /// <summary>The element types pixels can be written as.</summary>
    public static readonly IReadOnlyList<int> ElementTypes = [DataTypes.Float, DataTypes.Float16, DataTypes.Double, DataTypes.UInt8];

    private readonly byte[][] _tables;
    private readonly int _width;

    public TensorWriter(TensorLayout layout, int elementType, Normalization normalization)
    {
        Layout = layout;
        ElementType = elementType;
        Normalization = normalization;
        _width = DataTypes.BitsPerElement(elementType) / 8;
        _tables = Enumerable.Range(0, normalization.Channels).Select(Table).ToArray();
    }

    public TensorLayout Layout { get; }

    public int ElementType { get; }

    public Normalization Normalization { get; }

    /// <summary>The row dims for an image of <paramref name="size"/>.</summary>
    public long[] Dims(ImageSize size) => Layout == TensorLayout.Nchw
        ? [Normalization.Channels, size.Height, size.Width]
        : [size.Height, size.Width, Normalization.Channels];

    public TensorProto Write(PixelImage image, string inputName)
    {
        var bytes = new byte[image.Pixels.Length * _width];
        switch (_width)
        {
            case 1:
                Fill<byte>(image, bytes);
                break;
            case 2:
                Fill<ushort>(image, bytes);
                break;
            case 4:
                Fill<uint>(image, bytes);
                break;
            default:
                Fill<ulong>(image, bytes);
                break;
        }
        var tensor = new TensorProto
        {
            Name = inputName,
            DataType = ElementType,
            RawData = UnsafeByteOperations.UnsafeWrap(bytes), // new and handed over: no copy
        };
        tensor.Dims.AddRange(Dims(image.Size));
        return tensor;
    }

    public string Describe() => $"{Normalization.Describe()}, {Layout.ToString().ToUpperInvariant()} {DataTypes.Name(ElementType)}";

    /// <summary>Copies each element's encoded bits from its channel's table, as a T of the element's width.</summary>
    private void Fill<T>(PixelImage image, byte[] bytes)
        where T : unmanaged
    {
        var target = MemoryMarshal.Cast<byte, T>(bytes.AsSpan());
        var pixels = image.Pixels;
        var channels = image.Channels;
        var area = image.Width * image.Height;
        for (var c = 0; c < channels; c++)
        {
            var table = MemoryMarshal.Cast<byte, T>(_tables[c]);
            if (Layout == TensorLayout.Nchw)
            {
                var plane = target.Slice(c * area, area);
                for (var i = 0; i < area; i++)
                {
                    plane[i] = table[pixels[(i * channels) + c]];
                }
            }
            else
            {
                for (var i = c; i < pixels.Length; i += channels)
                {
                    target[i] = table[pixels[i]];
                }
            }
        }
    }

    /// <summary>The 256 values of one channel, encoded little-endian in the element type.</summary>
    private byte[] Table(int channel)
    {
        var table = new byte[256 * _width];
        for (var pixel = 0; pixel < 256; pixel++)
        {
            var value = Normalization.Value(channel, (byte)pixel);
            var slot = table.AsSpan(pixel * _width, _width);
            switch (ElementType)
            {
                case DataTypes.Float:
                    BinaryPrimitives.WriteSingleLittleEndian(slot, (float)value);
                    break;
                case DataTypes.Float16:
                    BinaryPrimitives.WriteHalfLittleEndian(slot, (Half)value);
                    break;
                case DataTypes.Double:
                    BinaryPrimitives.WriteDoubleLittleEndian(slot, value);
                    break;
                case DataTypes.UInt8:
                    slot[0] = (byte)Math.Clamp(Math.Round(value, MidpointRounding.ToEven), 0, 255);
                    break;
                default:
                    throw new InvalidOperationException($"element type {DataTypes.Name(ElementType)} is not checked before");
            }
        }
        return table;
    }
}
