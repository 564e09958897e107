using Amct.Engine.Onnx;
using Amct.Qat.Interpreter;
using Amct.Qat.Native;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;

namespace Amct.Qat.Tests;

/// <summary>One input of a reference run: float32, int64 or bool values and their shape.</summary>
internal sealed record ReferenceInput(string Name, Array Values, long[] Shape);

/// <summary>Runs a model in ONNX Runtime and in the retraining interpreter and compares every output.</summary>
internal static class OnnxRuntimeReference
{
    /// <summary>Asserts each output has ONNX Runtime's shape and values within <paramref name="tolerance"/> (absolute, or relative to large values).</summary>
    public static void AssertInterpreterMatches(ModelProto model, IReadOnlyList<ReferenceInput> inputs, double tolerance = 1e-5)
    {
        var expected = RunOnnxRuntime(model, inputs);
        var actual = RunInterpreter(model, inputs);
        Assert.HasCount(expected.Count, actual);
        for (var i = 0; i < expected.Count; i++)
        {
            var (name, shape, values) = expected[i];
            CollectionAssert.AreEqual(shape, actual[i].Shape, $"shape of output '{name}'");
            var worst = values.Select((v, j) => Math.Abs(v - actual[i].Values[j]) / Math.Max(1, Math.Abs(v))).DefaultIfEmpty(0).Max();
            Assert.IsLessThanOrEqualTo(tolerance, worst, $"output '{name}': largest difference to ONNX Runtime {worst}");
        }
    }

    private static List<(string Name, long[] Shape, double[] Values)> RunOnnxRuntime(ModelProto model, IReadOnlyList<ReferenceInput> inputs)
    {
        using var session = ModelSession.Open(model, "test.onnx", ModelOrigin.User);
        var feeds = inputs.Select(input =>
        {
            var dims = input.Shape.Select(d => (int)d).ToArray();
            return input.Values switch
            {
                float[] f => NamedOnnxValue.CreateFromTensor(input.Name, new DenseTensor<float>(f, dims)),
                long[] l => NamedOnnxValue.CreateFromTensor(input.Name, new DenseTensor<long>(l, dims)),
                bool[] b => NamedOnnxValue.CreateFromTensor(input.Name, new DenseTensor<bool>(b, dims)),
                _ => throw new ArgumentException($"input {input.Name}: unsupported element type"),
            };
        }).ToList();
        using var results = session.Session.Run(feeds);
        return results.Select(r => r.Value switch
        {
            Tensor<float> f => (r.Name, Dims(f.Dimensions), f.Select(v => (double)v).ToArray()),
            Tensor<long> l => (r.Name, Dims(l.Dimensions), l.Select(v => (double)v).ToArray()),
            Tensor<bool> b => (r.Name, Dims(b.Dimensions), b.Select(v => v ? 1.0 : 0.0).ToArray()),
            _ => throw new ArgumentException($"output {r.Name}: unsupported element type"),
        }).ToList();

        static long[] Dims(ReadOnlySpan<int> dims) => dims.ToArray().Select(d => (long)d).ToArray();
    }

    private static List<(long[] Shape, double[] Values)> RunInterpreter(ModelProto model, IReadOnlyList<ReferenceInput> inputs)
    {
        TorchRuntime.EnsureLoaded(1);
        using var scope = NewDisposeScope();
        using var graph = new OnnxGraph(model, "test.onnx");
        var feeds = inputs.ToDictionary(i => i.Name, i => i.Values switch
        {
            float[] f => tensor(f, i.Shape),
            long[] l => tensor(l, i.Shape),
            bool[] b => tensor(b, i.Shape),
            _ => throw new ArgumentException($"input {i.Name}: unsupported element type"),
        });
        return graph.Run(feeds).Select(t => (t.shape, t.to(ScalarType.Float64).contiguous().data<double>().ToArray())).ToList();
    }
}
