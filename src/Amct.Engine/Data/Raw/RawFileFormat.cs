using Amct.Engine.Onnx;

namespace Amct.Engine.Data.Raw;

/// <summary>
/// AMCT's command-line data: raw .bin files, one array of the declared shape per file (<c>np.fromfile(path,
/// dtype).reshape(shape)</c>), read in ordinal order of their names. The shape and element type are declared per
/// input (<see cref="SampleSourceOptions.InputShapes"/>, <see cref="SampleSourceOptions.InputTypes"/>) because the
/// files have no header; the shape's first dimension is the number of samples in each file.
/// </summary>
internal sealed class RawFileFormat : ISampleFormat
{
    public string Description => ".bin file, folder or pattern of raw values with a declared shape and type (AMCT's input_shape/data_type)";

    public bool CanRead(string path) => Files(path).Any();

    public ISampleSource Open(string path, IReadOnlyList<ModelInput> inputs, SampleSourceOptions options)
    {
        if (inputs.Count != 1)
        {
            throw new AmctException(ErrorCodes.DataNeedsInputNames, path,
                $".bin data feeds one input, but the model has {inputs.Count} ({DataErrors.InputList(inputs)}). Give " +
                "each input its own files as name=path;name=path (AMCT's data_dir per input).");
        }
        var input = inputs[0];
        if (!options.InputShapes.TryGetValue(input.Name, out var shape))
        {
            throw new AmctException(ErrorCodes.RawShapeMissing, path,
                $".bin files have no header, so their shape must be declared: for input '{input.Name}' " +
                $"({DataErrors.Describe(input)}) give the shape of one file, e.g. --input-shape " +
                $"\"{input.Name}:{ExampleShape(input)}\" (InputShapes).");
        }
        if (!options.InputTypes.TryGetValue(input.Name, out var elementType))
        {
            throw new AmctException(ErrorCodes.RawTypeMissing, path,
                $".bin files have no header, so their element type must be declared: for input '{input.Name}' give " +
                $"e.g. --data-type \"{input.Name}:{DataTypes.Name(input.ElementType)}\" (InputTypes).");
        }
        if (shape.Count == 0 || shape.Any(dim => dim < 1) || !DataTypes.IsKnownFixedWidth(elementType) || ByteLength(shape, elementType) is null)
        {
            throw new AmctException(ErrorCodes.RawDeclarationInvalid, path,
                $"input '{input.Name}' is declared as {DataErrors.Dims(shape)} of {DataTypes.Name(elementType)}, which no " +
                "file can hold: give at least one dimension, each at least 1, of a fixed-width element type " +
                "(float32, int64, ...), with fewer than 2^63 bytes in all.");
        }
        var declaration = $"the declared shape {DataErrors.Dims(shape)} of {DataTypes.Name(elementType)}";
        var groups = Files(path)
            .Select(file => RawFileArray.Open(file, input.Name, shape, elementType, declaration))
            .Select(array => new SampleGroup([InputBinder.Bind(input, array)], System.IO.Path.GetFileName(array.Path), array.Path))
            .ToList();
        return new ArraySampleSource(path, groups);
    }

    private static long? ByteLength(IReadOnlyList<long> shape, int elementType)
    {
        try
        {
            return DataTypes.RawByteLength(elementType, shape.Aggregate(1L, (product, dim) => checked(product * dim)));
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    private static string ExampleShape(ModelInput input) =>
        string.Join(",", input.Shape.Select(d => d is { } size ? DataErrors.Count(size) : "1"));

    /// <summary>A .bin file, the .bin files directly inside a folder, or those a pattern matches, in ordinal order.</summary>
    private static IEnumerable<string> Files(string path)
    {
        if (File.Exists(path))
        {
            return IsBin(path) ? [path] : [];
        }
        if (Directory.Exists(path))
        {
            return Directory.EnumerateFiles(path).Where(IsBin).Order(StringComparer.Ordinal);
        }
        return FileGlob.IsPattern(path) ? FileGlob.Expand(path).Files.Where(IsBin) : [];
    }

    private static bool IsBin(string path) => path.EndsWith(".bin", StringComparison.OrdinalIgnoreCase);
}
