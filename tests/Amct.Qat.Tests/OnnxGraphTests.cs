using Amct.Engine;
using Amct.Engine.Onnx;
using Amct.Qat.Interpreter;
using Amct.Qat.Native;
using Amct.TestSupport;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Amct.Qat.Tests;

[TestClass]
[TestCategory(TestCategories.OptIn)]
[TestCategory(TestCategories.Qat)]
public sealed class OnnxGraphTests
{
    [TestMethod]
    public void The_interpreter_computes_the_digits_CNN_as_ONNX_Runtime_does()
    {
        var model = ModelLoader.Load(TestData.DigitsModel);
        var batch = QatData.HeldOutBatch(model);
        using var graph = new OnnxGraph(model, TestData.DigitsModel);
        using var x = QatData.ToTorch(batch);

        var ours = graph.Run(new Dictionary<string, TorchSharp.torch.Tensor> { [graph.Inputs[0]] = x })[0].data<float>().ToArray();

        using var session = ModelSession.Open(TestData.DigitsModel, ModelOrigin.User);
        var input = new DenseTensor<float>(TensorData.ToArray<float>(batch), batch.Dims.Select(d => (int)d).ToArray());
        using var results = session.Session.Run([NamedOnnxValue.CreateFromTensor(graph.Inputs[0], input)]);
        var reference = results[0].AsEnumerable<float>().ToArray();
        Assert.HasCount(reference.Length, ours);
        Assert.HasCount(497 * 10, ours);
        var worst = Enumerable.Range(0, ours.Length).Max(i => Math.Abs(ours[i] - reference[i]));
        Assert.IsLessThan(1e-5, worst, $"largest difference to ONNX Runtime {worst}");
    }

    [TestMethod]
    public void An_operator_the_interpreter_lacks_is_AMCT6002_naming_it()
    {
        TorchRuntime.EnsureLoaded(1);
        var model = new ModelBuilder()
            .Input("x", DataTypes.Float, 1, 4).Output("y", DataTypes.Float, 1, 4)
            .Node("LSTM", ["x"], ["e"], "lstm").Node("Hardmax", ["e"], ["y"], "hardmax")
            .Build();

        var error = Assert.ThrowsExactly<AmctException>(() => new OnnxGraph(model, "model.onnx"));

        Assert.AreEqual(ErrorCodes.RetrainUnsupportedOp, error.Code);
        StringAssert.Contains(error.Message, "Hardmax, LSTM");
    }
}
