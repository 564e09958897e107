using Amct.Engine;
using Amct.Engine.Onnx;
using Amct.Qat.Interpreter;
using Amct.Qat.Native;
using Amct.TestSupport;
using static Amct.TestSupport.ModelBuilder;

namespace Amct.Qat.Tests;

/// <summary>
/// Each operator family of the retraining interpreter against ONNX Runtime on models built in code: same shapes,
/// values within 1e-5 (relative for large ones). The transformer block is the whole-model check.
/// </summary>
[TestClass]
[TestCategory(TestCategories.OptIn)]
[TestCategory(TestCategories.Qat)]
public sealed class OpCoverageTests
{
    private static readonly long[] Shape = [2, 3, 4];

    private static float[] Values(int seed, float low = -2, float high = 2) =>
        Enumerable.Range(0, 24).Select(i => low + ((high - low) * (float)((Math.Sin((i + 1) * (seed + 1.7)) + 1) / 2))).ToArray();

    private static ModelBuilder TwoInputs(long opset = 13) => new ModelBuilder(opset)
        .Input("a", DataTypes.Float, Shape).Input("b", DataTypes.Float, Shape);

    private static ReferenceInput[] AB(float low = -2) => [new("a", Values(1, low), Shape), new("b", Values(2, low), Shape)];

    /// <summary>One output per node: each node reads the inputs and writes "out_i" of any shape.</summary>
    private static ModelProto EachNode(ModelBuilder builder, params (string Op, string[] Inputs, AttributeProto[] Attributes, int Type)[] nodes)
    {
        for (var i = 0; i < nodes.Length; i++)
        {
            builder.Node(nodes[i].Op, nodes[i].Inputs, ["out_" + i], $"n{i}_{nodes[i].Op}", nodes[i].Attributes)
                .OutputOfAnyShape("out_" + i, nodes[i].Type);
        }
        var model = builder.Build();
        model.IrVersion = 9; // opset 20 (Gelu) needs IR 9
        return model;
    }

    private static (string, string[], AttributeProto[], int) N(string op, string[] inputs, params AttributeProto[] attributes) =>
        (op, inputs, attributes, DataTypes.Float);

    private static (string, string[], AttributeProto[], int) N(int type, string op, string[] inputs, params AttributeProto[] attributes) =>
        (op, inputs, attributes, type);

    private static TensorProto Longs(string name, params long[] values) => TensorData.FromArray<long>(name, [values.Length], values);

    [TestMethod]
    public void The_transformer_block_computes_as_ONNX_Runtime_does()
    {
        var model = Transformers.EncoderBlock();
        OnnxRuntimeReference.AssertInterpreterMatches(model, [new("x", Transformers.Samples(1), [1, 8, 16])]);
    }

    [TestMethod]
    public void Activations_compute_as_ONNX_Runtime_does()
    {
        var model = EachNode(TwoInputs(20).Initializer("slope", [4], [0.1f, 0.2f, 0.3f, 0.4f])
                .Initializer("lo", [], [-0.5f]).Initializer("hi", [], [0.7f]),
            N("Gelu", ["a"]), N("Gelu", ["a"], new AttributeProto { Name = "approximate", Type = AttributeProto.Types.AttributeType.String, S = Google.Protobuf.ByteString.CopyFromUtf8("tanh") }),
            N("HardSwish", ["a"]), N("HardSigmoid", ["a"], FloatAttribute("alpha", 0.3f)), N("Elu", ["a"], FloatAttribute("alpha", 0.7f)),
            N("Softplus", ["a"]), N("PRelu", ["a", "slope"]), N("LeakyRelu", ["a"]), N("Tanh", ["a"]), N("Sigmoid", ["a"]),
            N("Softmax", ["a"], IntAttribute("axis", 1)), N("LogSoftmax", ["a"]), N("Clip", ["a", "lo", "hi"]), N("Relu", ["a"]));
        OnnxRuntimeReference.AssertInterpreterMatches(model, AB());
    }

    [TestMethod]
    public void Softmax_before_opset_13_normalizes_over_all_axes_from_its_axis_on()
    {
        var model = EachNode(TwoInputs(11), N("Softmax", ["a"]), N("LogSoftmax", ["a"], IntAttribute("axis", 2)), N("Clip", ["a"]));
        OnnxRuntimeReference.AssertInterpreterMatches(model, AB());
    }

    [TestMethod]
    public void Arithmetic_comparison_logic_and_casts_compute_as_ONNX_Runtime_does()
    {
        var i64 = DataTypes.Int64;
        var model = EachNode(TwoInputs().Initializer(TensorData.FromArray<long>("seven", [], [7])),
            N("Pow", ["a", "b"]), N("Sqrt", ["a"]), N("Log", ["a"]), N("Exp", ["b"]), N("Reciprocal", ["a"]), N("Erf", ["b"]),
            N("Neg", ["b"]), N("Abs", ["b"]), N("Sign", ["b"]), N("Floor", ["b"]), N("Ceil", ["b"]), N("Div", ["a", "b"]),
            N("Max", ["a", "b"]), N("Min", ["a", "b", "a"]), N("Sum", ["a", "b", "b"]), N("Mean", ["a", "b"]),
            N(DataTypes.Bool, "Equal", ["a", "a"]), N(DataTypes.Bool, "Greater", ["a", "b"]), N(DataTypes.Bool, "LessOrEqual", ["a", "b"]),
            N(i64, "Cast", ["b"], IntAttribute("to", DataTypes.Int64)), N(DataTypes.Bool, "Cast", ["b"], IntAttribute("to", DataTypes.Bool)));
        // Built on the outputs above: integer division truncates, Where picks, logic combines.
        var builder = new ModelBuilder(15).Input("a", DataTypes.Float, Shape).Input("b", DataTypes.Float, Shape)
            .Initializer(TensorData.FromArray<long>("seven", [], [7])).Initializer("ten", [], [10f])
            .Node("Mul", ["b", "ten"], ["b10"]).Node("Cast", ["b10"], ["b_int"], "cast", IntAttribute("to", DataTypes.Int64))
            .Node("Div", ["b_int", "seven"], ["int_div"]).OutputOfAnyShape("int_div", i64)
            .Node("Greater", ["a", "b"], ["gt"]).Node("Less", ["a", "ten"], ["lt"]).Node("And", ["gt", "lt"], ["both"])
            .Node("Or", ["gt", "lt"], ["either"]).Node("Xor", ["gt", "lt"], ["one"]).Node("Not", ["both"], ["neither"])
            .Node("Where", ["either", "a", "b"], ["picked"]).OutputOfAnyShape("picked", DataTypes.Float)
            .Node("Cast", ["neither"], ["neither_f"], "cast2", IntAttribute("to", DataTypes.Float)).OutputOfAnyShape("neither_f", DataTypes.Float)
            .Node("CastLike", ["one", "a"], ["one_f"]).OutputOfAnyShape("one_f", DataTypes.Float);
        var combined = builder.Build();
        combined.IrVersion = 9;
        OnnxRuntimeReference.AssertInterpreterMatches(model, AB(low: 0.1f));
        OnnxRuntimeReference.AssertInterpreterMatches(combined, AB(low: -3f));
    }

    [TestMethod]
    public void Reductions_compute_as_ONNX_Runtime_does()
    {
        var model = EachNode(TwoInputs().Initializer(Longs("axes_sum", 0, 2)),
            N("ReduceMean", ["a"], IntsAttribute("axes", 1), IntAttribute("keepdims", 0)), N("ReduceSum", ["a", "axes_sum"]),
            N("ReduceMax", ["a"]), N("ReduceMin", ["a"], IntsAttribute("axes", -1)), N("ReduceSumSquare", ["a"], IntsAttribute("axes", 0)),
            N("ReduceL2", ["a"], IntsAttribute("axes", 2)), N(DataTypes.Int64, "ArgMax", ["a"], IntAttribute("axis", 2)),
            N(DataTypes.Int64, "ArgMin", ["a"], IntAttribute("axis", 1), IntAttribute("keepdims", 0)));
        OnnxRuntimeReference.AssertInterpreterMatches(model, AB());
        var opset18 = EachNode(TwoInputs(18).Initializer(Longs("axes", 1)), N("ReduceMean", ["a", "axes"]), N("ReduceMax", ["a", "axes"]));
        OnnxRuntimeReference.AssertInterpreterMatches(opset18, AB());
    }

    [TestMethod]
    public void Shape_slicing_and_gathering_compute_as_ONNX_Runtime_does()
    {
        var i64 = DataTypes.Int64;
        var model = EachNode(TwoInputs()
                .Initializer(Longs("starts", 1, -1)).Initializer(Longs("ends", 3, -5)).Initializer(Longs("axes", 1, 2)).Initializer(Longs("steps", 1, -2))
                .Initializer(TensorData.FromArray<long>("idx", [2, 2], [0, -1, 2, 1])).Initializer(Longs("reps", 1, 2, 1))
                .Initializer(Longs("pads", 0, 1, 0, 0, 2, 1)).Initializer(Longs("pads_last", 0, 0, 1, 0, 0, 2)).Initializer(Longs("wide", 3, 1, 1, 4)).Initializer(Longs("split", 1, 3))
                .Initializer(Longs("unsq", 0, 3)).Initializer(TensorData.FromArray<float>("pad_value", [], [0.5f]))
                .Initializer(TensorData.FromArray<long>("r0", [], [2])).Initializer(TensorData.FromArray<long>("r1", [], [11]))
                .Initializer(TensorData.FromArray<long>("r2", [], [3])).Initializer(Longs("fill_shape", 2, 3)),
            N("Slice", ["a", "starts", "ends", "axes", "steps"]), N("Gather", ["a", "idx"], IntAttribute("axis", 1)),
            N("Gather", ["a", "idx"], IntAttribute("axis", -1)), N("Tile", ["a", "reps"]), N("Pad", ["a", "pads", "pad_value"]),
            N("Pad", ["a", "pads_last"], new AttributeProto { Name = "mode", Type = AttributeProto.Types.AttributeType.String, S = Google.Protobuf.ByteString.CopyFromUtf8("reflect") }),
            N("Expand", ["a", "wide"]), N("Concat", ["a", "b"], IntAttribute("axis", -1)), N("Transpose", ["a"], IntsAttribute("perm", 2, 0, 1)),
            N("Unsqueeze", ["a", "unsq"]), N("Flatten", ["a"], IntAttribute("axis", 2)), N(i64, "Shape", ["a"]), N(i64, "Size", ["a"]),
            N(i64, "Range", ["r0", "r1", "r2"]), N("ConstantOfShape", ["fill_shape"], TensorAttribute("value", TensorData.FromArray<float>("v", [1], [1.5f]))),
            N("Identity", ["b"]));
        OnnxRuntimeReference.AssertInterpreterMatches(model, AB());
        // Opset 11: Split's sizes and Squeeze's axes as attributes.
        var split = new ModelBuilder(11).Input("a", DataTypes.Float, Shape)
            .Node("Split", ["a"], ["s0", "s1"], "split", IntAttribute("axis", 2), IntsAttribute("split", 1, 3))
            .Node("Split", ["a"], ["e0", "e1"], "split_even", IntAttribute("axis", 2))
            .Node("Squeeze", ["s0"], ["squeezed"], "squeeze", IntsAttribute("axes", 2));
        foreach (var output in new[] { "s0", "s1", "e0", "e1", "squeezed" })
        {
            split.OutputOfAnyShape(output, DataTypes.Float);
        }
        OnnxRuntimeReference.AssertInterpreterMatches(split.Build(), AB().Take(1).ToList());
        var tail = EachNode(TwoInputs(15), N(i64, "Shape", ["a"], IntAttribute("start", -2)), N(i64, "Shape", ["a"], IntAttribute("end", 1)));
        OnnxRuntimeReference.AssertInterpreterMatches(tail, AB());
    }

    [TestMethod]
    public void A_token_embedding_gathers_rows_as_ONNX_Runtime_does()
    {
        var model = new ModelBuilder().Input("ids", DataTypes.Int64, 2, 5).Output("emb", DataTypes.Float, 2, 5, 6)
            .Initializer("table", [10, 6], Pattern(60)).Node("Gather", ["table", "ids"], ["emb"], "embedding").Build();
        OnnxRuntimeReference.AssertInterpreterMatches(model, [new("ids", new long[] { 0, 3, 9, 1, 1, 5, 7, 2, 0, -1 }, [2, 5])]);
    }

    [TestMethod]
    [DataRow(2f, DisplayName = "then branch")]
    [DataRow(-2f, DisplayName = "else branch")]
    public void An_If_runs_the_branch_its_condition_picks_as_ONNX_Runtime_does(float offset)
    {
        var model = IfModel("Mul");
        OnnxRuntimeReference.AssertInterpreterMatches(model, [new("a", Values(1).Select(v => v + offset).ToArray(), Shape)]);
    }

    [TestMethod]
    public void An_operator_inside_an_If_branch_the_interpreter_lacks_is_AMCT6002_naming_it()
    {
        TorchRuntime.EnsureLoaded(1);
        var error = Assert.ThrowsExactly<AmctException>(() => new OnnxGraph(IfModel("Hardmax"), "model.onnx"));
        Assert.AreEqual(ErrorCodes.RetrainUnsupportedOp, error.Code);
        StringAssert.Contains(error.Message, "operator Hardmax.");
    }

    [TestMethod]
    public void A_node_libtorch_refuses_is_AMCT6002_naming_the_node()
    {
        TorchRuntime.EnsureLoaded(1);
        // ONNX Runtime would refuse this model before retraining starts; the interpreter must not crash on it either.
        var model = new ModelBuilder().Input("a", DataTypes.Float, Shape).OutputOfAnyShape("y", DataTypes.Float)
            .Initializer(Longs("shape", 5, 5)).Node("Reshape", ["a", "shape"], ["y"], "bad_reshape").Build();
        using var graph = new OnnxGraph(model, "model.onnx");
        using var a = TorchSharp.torch.tensor(Values(1), Shape);
        var error = Assert.ThrowsExactly<AmctException>(() => graph.Run(new Dictionary<string, TorchSharp.torch.Tensor> { ["a"] = a }));
        Assert.AreEqual(ErrorCodes.RetrainUnsupportedOp, error.Code);
        StringAssert.Contains(error.Message, "node 'bad_reshape' (Reshape)");
    }

    /// <summary>y = If(mean(a) > 0) then a·2 + c (c a branch initializer) else (a <paramref name="elseOp"/> a) − 1.</summary>
    private static ModelProto IfModel(string elseOp)
    {
        var then = new GraphProto { Name = "then" };
        then.Initializer.Add(TensorData.FromArray<float>("c", [], [0.25f]));
        then.Initializer.Add(TensorData.FromArray<float>("two", [], [2f]));
        then.Node.Add(Node("Mul", ["a", "two"], "t1"));
        then.Node.Add(Node("Add", ["t1", "c"], "t2"));
        then.Output.Add(new ValueInfoProto { Name = "t2", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = DataTypes.Float } } });
        var otherwise = new GraphProto { Name = "else" };
        otherwise.Node.Add(elseOp == "Mul" ? Node("Mul", ["a", "a"], "e1") : Node(elseOp, ["a"], "e1"));
        otherwise.Node.Add(Node("Sub", ["e1", "one"], "e2"));
        otherwise.Output.Add(new ValueInfoProto { Name = "e2", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = DataTypes.Float } } });
        return new ModelBuilder().Input("a", DataTypes.Float, Shape).OutputOfAnyShape("y", DataTypes.Float)
            .Initializer("zero", [], [0f]).Initializer("one", [], [1f])
            .Node("ReduceMean", ["a"], ["m"], "mean", IntAttribute("keepdims", 0)).Node("Greater", ["m", "zero"], ["positive"])
            .Node("If", ["positive"], ["y"], "branch", GraphAttribute("then_branch", then), GraphAttribute("else_branch", otherwise))
            .Build();

        static NodeProto Node(string op, string[] inputs, string output)
        {
            var node = new NodeProto { OpType = op, Name = output };
            node.Input.AddRange(inputs);
            node.Output.Add(output);
            return node;
        }
    }
}
