using Amct.Engine.Evaluation;
using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Reliability;

/// <summary>
/// Issue 11, class 1: whatever ONNX Runtime refuses is a coded error quoting its reason, from the one place sessions
/// are created (<see cref="ModelSession"/>): AMCT2013 for the user's model, AMCT5020 for an int8 model of ours.
/// </summary>
[TestClass]
public sealed class RuntimeRefusalTests
{
    [TestMethod]
    public void Every_model_ONNX_Runtime_refuses_is_AMCT2013_with_its_reason()
    {
        using var temp = new TempFolder();
        NpyWriter.Write(temp.File("X.npy"), [4, 4], Enumerable.Range(0, 16).Select(i => i * 0.1f).ToArray());
        NpyWriter.Write(temp.File("conv.npy"), [2, 1, 6, 6], Enumerable.Range(0, 72).Select(i => i * 0.01f).ToArray());
        var failures = new List<string>();
        foreach (var (name, model, node) in HostileModels.RefusedByRuntime())
        {
            var path = temp.File(name.Replace(' ', '_') + ".onnx");
            ModelBuilder.Write(model, path);
            var data = model.Graph.Node[0].OpType == "Conv" ? temp.File("conv.npy") : temp.File("X.npy");
            try
            {
                QuantizationJob.Run(new QuantizeRequest { ModelPath = path, CalibrationData = data, OutputDirectory = temp.File("out") },
                    new CollectingLog());
                failures.Add($"{name}: quantized");
            }
            catch (AmctException e) when (e.Code == ErrorCodes.ModelRejectedByRuntime)
            {
                StringAssert.Contains(e.Message, "ONNX Runtime refuses the model", name);
                if (node is not null && !e.Message.Contains($"at node '{node}'", StringComparison.Ordinal))
                {
                    failures.Add($"{name}: the node is not named: {e.Message}");
                }
            }
            catch (AmctException e)
            {
                failures.Add($"{name}: {e.Code} {e.Message}");
            }
        }
        Assert.IsEmpty(failures, string.Join("\n", failures));
        Assert.IsFalse(Directory.Exists(temp.File("out")) && Directory.EnumerateFileSystemEntries(temp.File("out")).Any(),
            "a refused model writes nothing");
    }

    [TestMethod]
    public void Models_ONNX_Runtime_may_accept_quantize_or_give_a_coded_error()
    {
        using var temp = new TempFolder();
        NpyWriter.Write(temp.File("X.npy"), [4, 4], Enumerable.Range(0, 16).Select(i => i * 0.1f).ToArray());
        foreach (var (name, model) in HostileModels.Questionable())
        {
            var path = temp.File(name.Replace(' ', '_') + ".onnx");
            ModelBuilder.Write(model, path);
            try
            {
                QuantizationJob.Run(new QuantizeRequest { ModelPath = path, CalibrationData = temp.File("X.npy"), OutputDirectory = temp.File("out") },
                    new CollectingLog());
            }
            catch (AmctException e)
            {
                Assert.AreNotEqual(ErrorCodes.InternalError, e.Code, name);
            }
        }
    }

    [TestMethod]
    public void An_int8_model_ONNX_Runtime_refuses_is_AMCT5020_naming_the_node()
    {
        var broken = HostileModels.With(HostileModels.GemmRelu(), m => m.Graph.Node[1].OpType = "NoSuchOp");
        var error = Assert.ThrowsExactly<AmctException>(() => ModelSession.Open(broken, "m.onnx", ModelOrigin.Quantized).Dispose());
        Assert.AreEqual(ErrorCodes.QuantizedModelRejected, error.Code);
        StringAssert.Contains(error.Message, "bug in amct");
        StringAssert.Contains(error.Message, "at node 'relu'");
    }

    [TestMethod]
    public void The_float_model_is_blamed_before_the_int8_model_in_an_evaluation()
    {
        using var temp = new TempFolder();
        var path = temp.File("bad.onnx");
        ModelBuilder.Write(HostileModels.With(HostileModels.GemmRelu(), m => m.Graph.Node[1].OpType = "NoSuchOp"), path);
        using var reference = new FloatReference(path);
        var error = Assert.ThrowsExactly<AmctException>(() =>
            ModelEvaluator.Compare(reference, HostileModels.GemmRelu(), [], null, path));
        Assert.AreEqual(ErrorCodes.ModelRejectedByRuntime, error.Code);
    }

    [TestMethod]
    public void Conflicting_imports_of_one_opset_are_refused_when_loading()
    {
        using var temp = new TempFolder();
        var model = HostileModels.GemmRelu();
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 7 });
        var path = temp.File("twice.onnx");
        ModelBuilder.Write(model, path);
        var error = Assert.ThrowsExactly<AmctException>(() => ModelLoader.Load(path));
        Assert.AreEqual(ErrorCodes.ModelNotOnnx, error.Code);
        StringAssert.Contains(error.Message, "versions 13 and 7");

        var same = HostileModels.GemmRelu();
        same.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        ModelBuilder.Write(same, path);
        Assert.IsNotNull(ModelLoader.Load(path), "the same version imported twice is harmless");
    }

    [TestMethod]
    public void A_model_over_the_inline_limit_runs_from_a_temporary_file_that_is_removed()
    {
        var model = ModelBuilder.Gemm(64, 32);
        string folder;
        using (var session = ModelSession.Open(model, "m.onnx", ModelOrigin.User, inlineLimitBytes: 16))
        {
            folder = session.TemporaryFolder!;
            Assert.IsTrue(File.Exists(Path.Combine(folder, "model.onnx.data")), "the weights went to external data");
            using var input = OrtTensors.ToOrtValue(TensorData.FromArray<float>("X", [1, 64], new float[64]));
            using var outputs = session.Session.Run(new Microsoft.ML.OnnxRuntime.RunOptions(), ["X"], [input], ["Y"]);
            Assert.HasCount(32, outputs[0].GetTensorDataAsSpan<float>().ToArray());
        }
        Assert.IsFalse(Directory.Exists(folder), "the temporary folder is removed with the session");
    }
}
