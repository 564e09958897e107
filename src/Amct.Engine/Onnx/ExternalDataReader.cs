using System.Globalization;
using Amct.Engine.IO;
using Google.Protobuf;

namespace Amct.Engine.Onnx;

/// <summary>
/// Loads tensors whose data lives in external files into the tensors themselves (raw_data), so the rest of the
/// engine sees one self-contained model. A location must be a relative path that stays inside the model's folder:
/// absolute paths, <c>..</c> segments and symbolic links that lead out of the folder are rejected, since a model
/// from elsewhere must not make us read arbitrary files.
/// </summary>
internal sealed class ExternalDataReader : IDisposable
{
    private readonly string _modelPath;
    private readonly string _modelFolder;
    private readonly string _realModelFolder;
    private readonly Dictionary<string, FileStream> _openFiles = new(StringComparer.Ordinal);

    public ExternalDataReader(string modelPath)
    {
        _modelPath = Path.GetFullPath(modelPath);
        _modelFolder = Path.GetDirectoryName(_modelPath)!;
        _realModelFolder = RealPath.Resolve(_modelFolder);
    }

    /// <summary>Loads every external tensor of the model in place.</summary>
    public void LoadAll(ModelProto model)
    {
        foreach (var tensor in ModelWalker.Tensors(model))
        {
            if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
            {
                Load(tensor);
            }
        }
    }

    private void Load(TensorProto tensor)
    {
        var label = TensorData.TensorLabel(tensor);
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in tensor.ExternalData)
        {
            if (!entries.TryAdd(entry.Key, entry.Value))
            {
                throw Malformed(label, $"gives \"{entry.Key}\" more than once");
            }
        }
        if (!entries.TryGetValue("location", out var location) || string.IsNullOrWhiteSpace(location))
        {
            throw Malformed(label, "has no \"location\" entry");
        }
        var offset = ParseNumber(entries, "offset", label) ?? 0;
        if (!DataTypes.IsKnownFixedWidth(tensor.DataType))
        {
            throw Malformed(label, $"has element type {DataTypes.Name(tensor.DataType)}, which cannot be stored externally");
        }
        var expectedLength = DataTypes.RawByteLength(tensor.DataType, TensorData.DeclaredElementCount(tensor, _modelPath));
        var length = ParseNumber(entries, "length", label) ?? expectedLength;
        if (length != expectedLength)
        {
            throw new AmctException(ErrorCodes.TensorDataMismatch, _modelPath,
                $"tensor '{label}' declares {length} bytes of external data but its dims " +
                $"{TensorData.FormatDims(tensor.Dims)} need {expectedLength}. Re-export the model.");
        }
        if (length > Array.MaxLength)
        {
            throw Malformed(label, $"is {length} bytes, more than one tensor can hold in memory");
        }

        var file = Open(ResolveLocation(location, label), label);
        // Written as a subtraction so that an offset near 2^63 cannot overflow the check.
        if (offset > file.Length || length > file.Length - offset)
        {
            throw new AmctException(ErrorCodes.ExternalDataOutOfRange, _modelPath,
                $"tensor '{label}' reads {length} bytes at offset {offset} of '{location}', which is only " +
                $"{file.Length} bytes long. The external data file is truncated or belongs to another model.");
        }
        var bytes = new byte[length];
        file.Position = offset;
        file.ReadExactly(bytes);

        tensor.RawData = UnsafeByteOperations.UnsafeWrap(bytes);
        tensor.ExternalData.Clear();
        tensor.ClearDataLocation();
    }

    private string ResolveLocation(string location, string label)
    {
        var normalized = location.Replace('\\', '/');
        var isAbsolute = Path.IsPathRooted(location) || normalized.StartsWith('/') ||
            (normalized.Length >= 2 && normalized[1] == ':');
        if (isAbsolute || normalized.Contains('\0', StringComparison.Ordinal))
        {
            throw Rejected(label, location, "is an absolute path");
        }
        if (normalized.Split('/').Any(segment => segment == ".."))
        {
            throw Rejected(label, location, "contains '..'");
        }
        var candidate = Path.GetFullPath(Path.Combine(_modelFolder, normalized));
        string real;
        try
        {
            real = RealPath.Resolve(candidate);
        }
        catch (IOException e)
        {
            throw Malformed(label, $"names '{location}', which cannot be followed ({e.Message})");
        }
        if (!File.Exists(candidate))
        {
            if (Directory.Exists(candidate))
            {
                throw Malformed(label, $"names '{location}', which is a folder, not a file");
            }
            throw new AmctException(ErrorCodes.ExternalDataMissing, _modelPath,
                $"tensor '{label}' keeps its data in '{location}', which does not exist next to the model. " +
                "Copy the model together with its external data files.");
        }
        if (!RealPath.IsInside(real, _realModelFolder))
        {
            throw Rejected(label, location, "is a link that leads outside the model's folder");
        }
        return real;
    }

    private FileStream Open(string path, string label)
    {
        if (_openFiles.TryGetValue(path, out var open))
        {
            return open;
        }
        try
        {
            var stream = UserFile.OpenRead(path);
            _openFiles.Add(path, stream);
            return stream;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AmctException(ErrorCodes.ExternalDataMissing, _modelPath,
                $"cannot read the external data of tensor '{label}' from '{path}': {e.Message}", e);
        }
    }

    private long? ParseNumber(Dictionary<string, string> entries, string key, string label)
    {
        if (!entries.TryGetValue(key, out var text))
        {
            return null;
        }
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw Malformed(label, $"has \"{key}\" = \"{text}\", which is not a non-negative whole number");
        }
        return value;
    }

    private AmctException Malformed(string label, string detail) =>
        new(ErrorCodes.ExternalDataMalformed, _modelPath,
            $"the external data reference of tensor '{label}' {detail}. Re-export the model.");

    private AmctException Rejected(string label, string location, string why) =>
        new(ErrorCodes.ExternalDataPathRejected, _modelPath,
            $"tensor '{label}' keeps its data in '{location}', which {why}. External data must be a relative path " +
            "inside the model's folder; move the data file next to the model and fix the location.");

    public void Dispose()
    {
        foreach (var stream in _openFiles.Values)
        {
            stream.Dispose();
        }
        _openFiles.Clear();
    }
}
