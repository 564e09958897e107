using Amct.Engine.Onnx;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace Amct.Engine.Tests.Graph;

/// <summary>Runs a model in ONNX Runtime, with its graph optimizations off so the graph runs as written.</summary>
internal static class OrtRunner
{
    /// <summary>The graph outputs, in graph order, for the given inputs (matched to graph inputs by name).</summary>
    public static List<TensorProto> Run(ModelProto model, params TensorProto[] inputs)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        using var session = new InferenceSession(model.ToByteArray(), options);
        var values = inputs.Select(t => OrtTensors.ToOrtValue(t)).ToList();
        try
        {
            var outputNames = session.OutputNames.ToList();
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, inputs.Select(t => t.Name).ToList(), values, outputNames);
            return outputs.Select((value, i) => OrtTensors.ToTensorProto(value, outputNames[i])).ToList();
        }
        finally
        {
            values.ForEach(v => v.Dispose());
        }
    }
}
