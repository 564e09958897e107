using Amct.Engine.IO;
using Google.Protobuf;

namespace Amct.Engine.Onnx;

/// <summary>
/// Reads an ONNX model file into a <see cref="ModelProto"/> that holds all its data: external data is loaded into
/// the tensors, every tensor is checked against its dims, and anything wrong is an <see cref="AmctException"/>
/// (AMCT2xxx) naming the file. Fields this schema does not know are kept and written back by
/// <see cref="ModelSaver"/>.
/// </summary>
public static class ModelLoader
{
    /// <summary>
    /// Deepest message nesting accepted. Each nested graph costs three levels (graph, node, attribute), so this allows
    /// about 30 levels of If/Loop/Scan inside each other, far beyond any real model; ONNX Runtime uses the same limit.
    /// </summary>
    public const int RecursionLimit = 100;

    /// <summary>Loads a model file, resolving external data relative to the model's folder.</summary>
    public static ModelProto Load(string path)
    {
        var fullPath = Path.GetFullPath(path);
        var model = Parse(ReadModelBytes(fullPath), fullPath);
        using (var externalData = new ExternalDataReader(fullPath))
        {
            externalData.LoadAll(model);
        }
        CheckTensors(model, fullPath);
        return model;
    }

    /// <summary>
    /// Parses model bytes and checks they are an ONNX model. Tensors with external data are left as they are.
    /// </summary>
    /// <param name="bytes">The serialized ModelProto.</param>
    /// <param name="source">The file to name in errors.</param>
    public static ModelProto Parse(byte[] bytes, string source)
    {
        ModelProto model;
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            var input = CodedInputStream.CreateWithLimits(stream, int.MaxValue, RecursionLimit);
            model = ModelProto.Parser.ParseFrom(input);
        }
        catch (InvalidProtocolBufferException e) when (e.Message.Contains("levels of nesting", StringComparison.Ordinal))
        {
            throw new AmctException(ErrorCodes.ModelTooDeep, source,
                $"the model nests graphs or types more than {RecursionLimit} protobuf levels deep, beyond what " +
                "ONNX Runtime loads either. The file is damaged or hostile; re-export the model.", e);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new AmctException(ErrorCodes.ModelNotProtobuf, source,
                $"the file is not a readable ONNX model ({e.Message.TrimEnd('.')}). It may be truncated or not an " +
                "ONNX file at all; re-export or re-download it.", e);
        }
        CheckIsOnnxModel(model, source);
        return model;
    }

    private static byte[] ReadModelBytes(string fullPath)
    {
        if (!File.Exists(fullPath))
        {
            throw new AmctException(ErrorCodes.ModelNotFound, fullPath,
                Directory.Exists(fullPath)
                    ? "the model path is a folder; give the path of the .onnx file."
                    : "the model file does not exist. Check the path.");
        }
        try
        {
            UserFile.EnsureRegular(fullPath);
            var length = new FileInfo(fullPath).Length;
            if (length == 0)
            {
                throw new AmctException(ErrorCodes.ModelEmpty, fullPath,
                    "the model file is empty (0 bytes). It was probably cut short while copying; copy it again.");
            }
            if (length > int.MaxValue)
            {
                throw new AmctException(ErrorCodes.ModelTooLarge, fullPath,
                    $"the model file is {length} bytes; a single ONNX file cannot exceed 2 GB. Save the model with " +
                    "its weights as external data.");
            }
            return File.ReadAllBytes(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AmctException(ErrorCodes.ModelNotFound, fullPath, $"cannot read the model file: {e.Message}", e);
        }
    }

    /// <summary>
    /// Protobuf accepts many byte strings (any run of valid fields parses); an ONNX model must also name its IR
    /// version, import an operator set and hold a graph.
    /// </summary>
    private static void CheckIsOnnxModel(ModelProto model, string source)
    {
        string? problem = null;
        if (!model.HasIrVersion || model.IrVersion <= 0 || model.IrVersion > 1000)
        {
            problem = model.HasIrVersion ? $"its IR version {model.IrVersion} is not valid" : "it has no IR version";
        }
        else if (model.Graph is null)
        {
            problem = "it has no graph";
        }
        else if (model.IrVersion >= 3 && model.OpsetImport.Count == 0)
        {
            problem = "it imports no operator set";
        }
        else if (ConflictingOpsetImport(model) is { } conflict)
        {
            problem = conflict;
        }
        if (problem is not null)
        {
            throw new AmctException(ErrorCodes.ModelNotOnnx, source,
                $"the file is not a complete ONNX model: {problem}. It may be truncated or another kind of file; " +
                "re-export the model.");
        }
    }

    /// <summary>
    /// A domain imported twice with different versions has no defined opset: ONNX Runtime picks one, the engine might
    /// pick the other and write operators that do not exist in ONNX Runtime's choice.
    /// </summary>
    private static string? ConflictingOpsetImport(ModelProto model)
    {
        var conflict = model.OpsetImport
            .GroupBy(o => o.Domain is "ai.onnx" ? "" : o.Domain, StringComparer.Ordinal)
            .FirstOrDefault(g => g.Select(o => o.Version).Distinct().Count() > 1);
        return conflict is null
            ? null
            : $"it imports the operator set '{(conflict.Key.Length == 0 ? "ai.onnx" : conflict.Key)}' more than once, with " +
              $"versions {string.Join(" and ", conflict.Select(o => o.Version).Distinct())}";
    }

    private static void CheckTensors(ModelProto model, string source)
    {
        foreach (var tensor in ModelWalker.Tensors(model))
        {
            if (tensor.DataType == DataTypes.String || DataTypes.IsKnownFixedWidth(tensor.DataType))
            {
                TensorData.CheckedElementCount(tensor, source);
            }
        }
    }
}
