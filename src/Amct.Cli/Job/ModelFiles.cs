using Amct.Engine.IO;
using Amct.Engine.Onnx;

namespace Amct.Cli.Job;

/// <summary>The files a model consists of: the .onnx file and the external data files its tensors point to.</summary>
internal static class ModelFiles
{
    /// <summary>
    /// Lists the model and its external data files. Called after a successful quantization, so the model is known to
    /// parse and its locations to be safe relative paths inside the model's folder.
    /// </summary>
    public static IReadOnlyList<string> Of(string modelPath)
    {
        var fullPath = Path.GetFullPath(modelPath);
        var folder = Path.GetDirectoryName(fullPath)!;
        var model = ModelLoader.Parse(UserFile.ReadAllBytes(fullPath), fullPath);
        var external = ModelWalker.Tensors(model)
            .Where(t => t.DataLocation == TensorProto.Types.DataLocation.External)
            .SelectMany(t => t.ExternalData)
            .Where(entry => entry.Key == "location")
            .Select(entry => Path.GetFullPath(Path.Combine(folder, entry.Value)))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        return [fullPath, .. external];
    }
}
