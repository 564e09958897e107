using System.Globalization;
using Amct.Engine.IO;
using Google.Protobuf;

namespace Amct.Engine.Onnx;

/// <summary>Where <see cref="ModelSaver"/> puts tensor data.</summary>
public enum ExternalDataMode
{
    /// <summary>Inline, unless the model would exceed protobuf's 2 GB limit; then large initializers go external.</summary>
    Auto,

    /// <summary>Initializers of at least <see cref="ModelSaveOptions.ExternalThresholdBytes"/> always go external.</summary>
    Always,
}

public sealed record ModelSaveOptions
{
    public ExternalDataMode ExternalData { get; init; } = ExternalDataMode.Auto;

    /// <summary>Initializers smaller than this stay inline even when others go external.</summary>
    public long ExternalThresholdBytes { get; init; } = 1024;

    /// <summary>
    /// The largest model file written inline. Protobuf cannot serialize a message over 2 GB; the margin leaves room
    /// for the non-tensor part of the model. Lowered by tests to exercise the external path with small models.
    /// </summary>
    internal long InlineLimitBytes { get; init; } = int.MaxValue - (64L << 20);
}

/// <summary>
/// Writes a <see cref="ModelProto"/> to disk atomically (temporary file, then rename). Tensors go to an external data
/// file <c>&lt;model file name&gt;.data</c> beside the model when asked or when the model would not fit in one
/// protobuf message. The caller's model is not changed.
/// </summary>
public static class ModelSaver
{
    /// <summary>Large tensors start at a multiple of this in the data file, so they can be memory-mapped.</summary>
    private const int Alignment = 4096;
    private const long AlignFromBytes = 1 << 20;

    /// <param name="writer">Where the files go (default: each straight into place, atomically).</param>
    public static void Save(ModelProto model, string path, ModelSaveOptions? options = null, IFileWriter? writer = null)
    {
        options ??= new ModelSaveOptions();
        writer ??= AtomicFileWriter.Instance;
        var fullPath = Path.GetFullPath(path);
        var candidates = ModelWalker.Initializers(model)
            .Where(t => t.HasRawData && t.RawData.Length >= options.ExternalThresholdBytes)
            .ToList();

        var goExternal = options.ExternalData == ExternalDataMode.Always ||
            EstimatedInlineSize(model) > options.InlineLimitBytes;
        if (!goExternal || candidates.Count == 0)
        {
            WriteModel(model, fullPath, writer);
            return;
        }

        var copy = model.Clone();
        var external = ModelWalker.Initializers(copy)
            .Where(t => t.HasRawData && t.RawData.Length >= options.ExternalThresholdBytes)
            .ToList();
        var dataFileName = Path.GetFileName(fullPath) + ".data";
        var dataPath = Path.Combine(Path.GetDirectoryName(fullPath)!, dataFileName);
        writer.Write(dataPath, stream => WriteExternalData(external, dataFileName, stream));
        if (EstimatedInlineSize(copy) > options.InlineLimitBytes)
        {
            throw new AmctException(ErrorCodes.ModelTooLarge, fullPath,
                "the model is over 2 GB even with its large initializers in external data (its small tensors or " +
                "attribute constants are too big). Move constants into initializers before quantizing.");
        }
        WriteModel(copy, fullPath, writer);
    }

    private static void WriteModel(ModelProto model, string fullPath, IFileWriter writer) =>
        writer.Write(fullPath, stream =>
        {
            var output = new CodedOutputStream(stream, leaveOpen: true);
            model.WriteTo(output);
            output.Flush();
        });

    /// <summary>Writes the tensors' bytes to the data file and points the tensors at it.</summary>
    private static void WriteExternalData(List<TensorProto> tensors, string dataFileName, Stream stream)
    {
        long position = 0;
        foreach (var tensor in tensors)
        {
            var length = tensor.RawData.Length;
            if (length >= AlignFromBytes && position % Alignment != 0)
            {
                var padding = Alignment - (position % Alignment);
                stream.Write(new byte[padding]);
                position += padding;
            }
            stream.Write(tensor.RawData.Span);
            tensor.ClearRawData();
            tensor.ExternalData.Clear();
            tensor.ExternalData.Add(Entry("location", dataFileName));
            tensor.ExternalData.Add(Entry("offset", position.ToString(CultureInfo.InvariantCulture)));
            tensor.ExternalData.Add(Entry("length", length.ToString(CultureInfo.InvariantCulture)));
            tensor.DataLocation = TensorProto.Types.DataLocation.External;
            position += length;
        }
    }

    private static StringStringEntryProto Entry(string key, string value) => new() { Key = key, Value = value };

    /// <summary>
    /// The serialized size of the model, computed without overflowing: tensor payloads are summed as 64-bit numbers
    /// and the rest of the model is measured with the payloads set aside.
    /// </summary>
    internal static long EstimatedInlineSize(ModelProto model)
    {
        var tensors = ModelWalker.Tensors(model).Where(t => t.HasRawData).ToList();
        var payloads = tensors.Select(t => t.RawData).ToList();
        var payloadBytes = payloads.Sum(p => (long)p.Length + 16);
        foreach (var tensor in tensors)
        {
            tensor.RawData = ByteString.Empty;
        }
        try
        {
            return model.CalculateSize() + payloadBytes;
        }
        finally
        {
            for (var i = 0; i < tensors.Count; i++)
            {
                tensors[i].RawData = payloads[i];
            }
        }
    }
}
