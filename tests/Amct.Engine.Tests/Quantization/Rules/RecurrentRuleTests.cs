using Amct.Engine.Onnx;
using Amct.Engine.Quantization;
using Amct.Engine.Tests.Graph;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Quantization.Rules;

/// <summary>LSTM, GRU and RNN are weight-only: W and R int8 (per gate row by default), B and the state float.</summary>
[TestClass]
public sealed class RecurrentRuleTests
{
    /// <summary>x [3, 2, 4] → <paramref name="op"/> (hidden 5, <paramref name="gates"/> gates) → Y_h.</summary>
    private static ModelProto Model(string op, int gates, bool constantR = true)
    {
        var builder = new ModelBuilder()
            .Input("x", DataTypes.Float, 3, 2, 4)
            .Output("h", DataTypes.Float, 1, 2, 5)
            .Initializer("W", [1, gates * 5, 4], TestTensors.Values(gates * 20, seed: 1))
            .Initializer("B", [1, 2 * gates * 5], TestTensors.Values(2 * gates * 5, seed: 3));
        builder = constantR
            ? builder.Initializer("R", [1, gates * 5, 5], TestTensors.Values(gates * 25, seed: 2))
            : builder.Input("R", DataTypes.Float, 1, gates * 5, 5);
        return builder.Node(op, ["x", "W", "R", "B"], ["", "h"], "recurrent", ModelBuilder.IntAttribute("hidden_size", 5)).Build();
    }

    [TestMethod]
    [DataRow("LSTM", 4)]
    [DataRow("GRU", 3)]
    [DataRow("RNN", 1)]
    public void W_and_r_are_weight_only_per_gate_row(string op, int gates)
    {
        var plan = PlanBuilder.Plan(Model(op, gates).Graph, new PlanOptions());

        Assert.IsEmpty(plan.Layers);
        Assert.IsEmpty(plan.QuantizedTensors, "no activation of a recurrent layer is quantized");
        var layer = plan.WeightOnly.Single();
        Assert.AreEqual(op, layer.OpType);
        CollectionAssert.AreEqual(new[] { new WeightOnlyWeight("W", 1, 1), new WeightOnlyWeight("R", 2, 1) }, layer.Weights.ToArray());
    }

    [TestMethod]
    public void Per_tensor_matmul_weights_give_one_scale()
    {
        var plan = PlanBuilder.Plan(Model("LSTM", 4).Graph, new PlanOptions { MatMulWeights = WeightGranularity.PerTensor });

        Assert.IsTrue(plan.WeightOnly.Single().Weights.All(w => w.Axis is null));
    }

    [TestMethod]
    public void A_recurrence_weight_that_is_an_input_stays_float_and_w_is_still_int8()
    {
        var layer = PlanBuilder.Plan(Model("GRU", 3, constantR: false).Graph, new PlanOptions()).WeightOnly.Single();

        Assert.AreEqual("W", layer.Weights.Single().Tensor);
    }

    [TestMethod]
    public void Skipped_by_op_type_it_stays_float()
    {
        var plan = PlanBuilder.Plan(Model("LSTM", 4).Graph,
            new PlanOptions { SkipOpTypes = new HashSet<string>(["LSTM"], StringComparer.Ordinal) });

        Assert.IsEmpty(plan.WeightOnly);
        Assert.AreEqual("op type LSTM skipped", plan.Skipped.Single().Reason);
    }

    /// <summary>The QDQ model ONNX Runtime runs: the recurrent layer on dequantized int8 weights, close to float.</summary>
    [TestMethod]
    [DataRow("LSTM", 4)]
    [DataRow("GRU", 3)]
    [DataRow("RNN", 1)]
    public void The_weight_only_model_runs_in_onnx_runtime_close_to_float(string op, int gates)
    {
        var model = Model(op, gates);
        var plan = PlanBuilder.Plan(model.Graph, new PlanOptions());
        var quantized = QdqModelBuilder.Build(model, plan, new Dictionary<string, ActivationParams>(),
            new Dictionary<string, QuantizedWeights>(), "model.onnx");

        Assert.IsFalse(quantized.Graph.Initializer.Any(t => t.Name is "W" or "R"), "no float copy of W or R stays");
        var input = TestTensors.Random("x", [3, 2, 4], seed: 4);
        TestTensors.AssertAllClose(OrtRunner.Run(model, input), OrtRunner.Run(quantized, optimized: true, input), 0.05);
    }
}
