using Amct.Engine.Onnx;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace Amct.Engine.Tests.Graph;

/// <summary>Runs a model in ONNX Runtime, by default with its graph optimizations off so the graph runs as written.</summary>
internal static class OrtRunner
{
    /// <summary>The graph outputs, in graph order, for the given inputs (matched to graph inputs by name).</summary>
    public static List<TensorProto> Run(ModelProto model, params TensorProto[] inputs) => Run(model, optimized: false, inputs);

    /// <param name="model">The model to run.</param>
    /// <param name="optimized">Run with the engine's session settings (full optimizations: QDQ fused into int8 kernels).</param>
    /// <param name="inputs">Graph inputs, matched by name.</param>
    public static List<TensorProto> Run(ModelProto model, bool optimized, params TensorProto[] inputs)
    {
        using var options = optimized ? SessionFactory.CreateOptions() : new SessionOptions
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
