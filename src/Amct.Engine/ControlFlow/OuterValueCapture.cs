using Amct.Engine.Onnx;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace Amct.Engine.ControlFlow;

/// <summary>
/// Runs a float model in ONNX Runtime over calibration batches and keeps, per batch, the values of some of its
/// inner tensors (declared as extra graph outputs, any element type): the outer-scope values a subgraph reads and
/// the conditions that choose an If branch. Graph optimizations are off so every value exists as written.
/// </summary>
internal static class OuterValueCapture
{
    public static List<Dictionary<string, TensorProto>> Run(ModelProto model, IReadOnlyCollection<string> values,
        IEnumerable<IReadOnlyDictionary<string, TensorProto>> batches, string source)
    {
        var copy = model.Clone();
        var outputs = copy.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = copy.Graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var value in values.Where(v => !inputs.Contains(v) && outputs.Add(v)))
        {
            copy.Graph.Output.Add(new ValueInfoProto { Name = value });
        }
        using var options = SessionFactory.CreateOptions();
        options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL;
        using var session = new InferenceSession(copy.ToByteArray(), options);
        using var runOptions = new RunOptions();
        var fromRun = values.Where(v => !inputs.Contains(v)).ToList();
        var captured = new List<Dictionary<string, TensorProto>>();
        foreach (var batch in batches)
        {
            var names = batch.Keys.ToList();
            var ortInputs = names.Select(n => OrtTensors.ToOrtValue(batch[n], n)).ToList();
            try
            {
                using var results = session.Run(runOptions, names, ortInputs, fromRun);
                var observed = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
                for (var i = 0; i < fromRun.Count; i++)
                {
                    observed[fromRun[i]] = OrtTensors.ToTensorProto(results[i], fromRun[i]);
                }
                foreach (var input in values.Where(inputs.Contains))
                {
                    observed[input] = batch[input];
                }
                captured.Add(observed);
            }
            catch (OnnxRuntimeException e)
            {
                throw new AmctException(ErrorCodes.CalibrationRunFailed, source,
                    $"ONNX Runtime could not run the model to observe the values its subgraphs read: {e.Message}", e);
            }
            finally
            {
                ortInputs.ForEach(v => v.Dispose());
            }
        }
        return captured;
    }
}
