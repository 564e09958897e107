using Amct.Engine;
using Amct.Engine.Evaluation;
using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Amct.Engine.Retraining;
using Amct.Qat.Interpreter;
using Amct.Qat.Native;
using Amct.Qat.Training;
using Amct.TestSupport;
using static TorchSharp.torch;

namespace Amct.Qat.Tests;

/// <summary>
/// Operands libtorch's matmul refuses: TorchSharp's binding lets libtorch's error end the process, so the interpreter
/// checks them first (<see cref="CheckedMatMul"/>). Before the check, each test here killed the test host.
/// </summary>
[TestClass]
[TestCategory(TestCategories.OptIn)]
[TestCategory(TestCategories.Qat)]
public sealed class MatMulShapeTests
{
    [TestMethod]
    [DataRow("MatMul", new long[] { 5, 3 }, "the inner dimensions 4 and 5 differ")]
    [DataRow("Gemm", new long[] { 5, 3 }, "the inner dimensions 4 and 5 differ")]
    [DataRow("MatMul", new long[] { 3, 4, 2 }, "the batch dimensions [2] and [3] do not broadcast")]
    public void Operands_that_do_not_multiply_are_AMCT6002_naming_the_node(string op, long[] weightShape, string problem)
    {
        TorchRuntime.EnsureLoaded(1);
        var model = new ModelBuilder()
            .Input("X", DataTypes.Float, 2, 2, 4)
            .OutputOfAnyShape("Y", DataTypes.Float)
            .Initializer("W", weightShape, ModelBuilder.Pattern(weightShape.Aggregate(1L, (p, d) => p * d)))
            .Node(op, ["X", "W"], ["Y"], "mm")
            .Build();
        using var graph = new OnnxGraph(model, "model.onnx");
        using var x = ones(2, 2, 4);
        using var flat = ones(2, 4);

        var error = Assert.ThrowsExactly<AmctException>(() => graph.Run(new Dictionary<string, Tensor> { ["X"] = op == "Gemm" ? flat : x }));

        Assert.AreEqual((ErrorCodes.RetrainUnsupportedOp, "model.onnx"), (error.Code, error.Target));
        StringAssert.Contains(error.Message, $"node 'mm' ({op})");
        StringAssert.Contains(error.Message, problem);
        StringAssert.Contains(error.Message, "Quantize without Retrain");
    }

    [TestMethod]
    [DataRow(new long[] { 2, 4 }, new long[] { 4, 3 }, null)]
    [DataRow(new long[] { 4 }, new long[] { 4, 3 }, null)]
    [DataRow(new long[] { 2, 4 }, new long[] { 4 }, null)]
    [DataRow(new long[] { 5, 1, 2, 4 }, new long[] { 3, 4, 6 }, null)]
    [DataRow(new long[] { 4 }, new long[] { 5 }, "the inner dimensions 4 and 5 differ")]
    [DataRow(new long[0], new long[] { 4 }, "a scalar has no matrix dimension")]
    public void The_check_follows_numpys_matmul(long[] a, long[] b, string? problem) =>
        Assert.AreEqual(problem, CheckedMatMul.Problem(a, b));

    /// <summary>
    /// X [1, 4] (batch fixed at 1) transposed to [4, 1], times W [1, 3]: ONNX Runtime runs it, but two samples run
    /// together make [4, 2] × [1, 3]. Distill tries that to decide whether to merge one-sample batches.
    /// </summary>
    [TestMethod]
    public void A_fixed_batch_model_that_multiplies_over_its_batch_axis_retrains_on_one_sample_batches()
    {
        using var temp = new TempFolder();
        var (model, data) = (temp.File("outer.onnx"), temp.File("x.npy"));
        ModelBuilder.Write(new ModelBuilder()
            .Input("X", DataTypes.Float, 1, 4)
            .Output("Y", DataTypes.Float, 4, 3)
            .Initializer("W", [1, 3], [0.5f, -1f, 2f])
            .Node("Transpose", ["X"], ["XT"], "transpose", ModelBuilder.IntsAttribute("perm", 1, 0))
            .Node("MatMul", ["XT", "W"], ["Y"], "outer")
            .Build(), model);
        NpyWriter.Write<float>(data, [20, 4], ModelBuilder.Pattern(80));

        var result = QuantizationJob.Run(new QuantizeRequest
        {
            ModelPath = model,
            CalibrationData = data,
            OutputDirectory = temp.File("out"),
            MeasureLatency = false,
            QualityFloor = false, // a tiny synthetic model
            Gate = new GateThresholds(),
            Retrain = RetrainMode.Distill,
            RetrainEpochs = 2,
        }, new CollectingLog(), new QatRetrainer());

        Assert.AreEqual(40, result.Report.Retraining!.Steps, "20 one-sample batches (not merged), 2 epochs");
        Assert.IsTrue(File.Exists(result.QuantizedModel));
    }
}
