using Amct.Engine.Graph;
using Amct.Engine.Onnx;
using Amct.Engine.Tests.Graph;

namespace Amct.Engine.Tests.Conformance;

/// <summary>
/// The ONNX backend suite's models below opset 13, prepared as quantization prepares them (IR 3 initializer inputs
/// unlisted, opset upgraded to 13, Constant weights made initializers), must reproduce the suite's expected outputs
/// in ONNX Runtime. ONNX Runtime does not run most opset-6 operators itself, so this is how the opset-6 adapters
/// (legacy broadcast, per-channel PRelu) are tested against the outputs of the framework that made the models.
/// </summary>
[TestClass]
public sealed class OldOpsetSuiteTests
{
    [TestMethod]
    [TestCategory("Conformance")]
    public void Upgraded_suite_models_reproduce_the_expected_outputs()
    {
        Assert.IsTrue(Directory.Exists(BackendSuiteTests.SuiteRoot), "sudo apt-get install libonnx-testdata");
        var checkedModels = 0;
        var failures = new List<string>();
        foreach (var folder in Directory.EnumerateDirectories(BackendSuiteTests.SuiteRoot).SelectMany(Directory.EnumerateDirectories)
                     .Where(f => File.Exists(Path.Combine(f, "model.onnx"))).Order(StringComparer.Ordinal))
        {
            var model = ModelLoader.Load(Path.Combine(folder, "model.onnx"));
            var opset = model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 0;
            var dataSet = Path.Combine(folder, "test_data_set_0");
            // Other domains (training's Gradient) are not ONNX Runtime's to run.
            if (opset is < 6 or >= 13 || !Directory.Exists(dataSet) || model.Graph.Output.Any(o => o.Type?.TensorType is null)
                || model.Graph.Node.Any(n => n.Domain is not ("" or "ai.onnx")))
            {
                continue;
            }
            try
            {
                GraphPreparation.Prepare(model, GraphPreparationOptions.Default, folder);
            }
            catch (AmctException)
            {
                continue; // Refusals are counted by the coverage test.
            }
            var inputs = Tensors(dataSet, "input");
            var expected = Tensors(dataSet, "output");
            var fed = model.Graph.Input.Select(i => i.Name).ToList();
            if (inputs.Count != fed.Count || inputs.Any(t => t.DataType != DataTypes.Float) || expected.Any(t => t.DataType != DataTypes.Float))
            {
                continue;
            }
            for (var i = 0; i < inputs.Count; i++)
            {
                inputs[i].Name = fed[i];
            }
            try
            {
                var actual = OrtRunner.Run(model, [.. inputs]);
                Assert.HasCount(expected.Count, actual);
                for (var i = 0; i < expected.Count; i++)
                {
                    AssertClose(expected[i], actual[i]);
                }
                checkedModels++;
            }
            catch (Exception e) when (e is AssertFailedException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
            {
                failures.Add($"{Path.GetRelativePath(BackendSuiteTests.SuiteRoot, folder)} (opset {opset}): {e.Message}");
            }
        }
        Console.WriteLine($"{checkedModels} upgraded suite models reproduce their expected outputs");
        Assert.IsGreaterThan(100, checkedModels);
        Assert.IsEmpty(failures, string.Join("\n", failures));
    }

    /// <summary>The backend test runner's tolerances (rtol 1e-3, atol 1e-7); NaN where NaN is expected.</summary>
    private static void AssertClose(TensorProto expected, TensorProto actual)
    {
        CollectionAssert.AreEqual(expected.Dims.ToArray(), actual.Dims.ToArray(), "shape");
        var e = TensorData.ToDoubles(expected);
        var a = TensorData.ToDoubles(actual);
        for (var i = 0; i < e.Length; i++)
        {
            var same = double.IsNaN(e[i]) ? double.IsNaN(a[i]) : Math.Abs(a[i] - e[i]) <= 1e-7 + 1e-3 * Math.Abs(e[i]);
            Assert.IsTrue(same, $"element {i} is {a[i]}, expected {e[i]}");
        }
    }

    private static List<TensorProto> Tensors(string dataSet, string prefix) =>
        Enumerable.Range(0, 100).Select(i => Path.Combine(dataSet, $"{prefix}_{i}.pb")).TakeWhile(File.Exists)
            .Select(p => TensorProto.Parser.ParseFrom(File.ReadAllBytes(p))).ToList();
}
