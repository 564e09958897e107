using Amct.Engine.Onnx;
using Amct.TestSupport;
using Google.Protobuf;

namespace Amct.Engine.Tests.Onnx;

/// <summary>Bad model files: each gives a coded AMCT2xxx error naming the file, never a crash or a hang.</summary>
[TestClass]
public sealed class ModelLoaderTests
{
    [TestMethod]
    public void A_valid_model_loads_with_its_graph()
    {
        using var temp = new TempFolder();
        var path = temp.File("gemm.onnx");
        ModelBuilder.Write(ModelBuilder.Gemm(), path);
        var model = ModelLoader.Load(path);
        Assert.AreEqual("Gemm", model.Graph.Node.Single().OpType);
        Assert.AreEqual(ModelBuilder.Gemm(), model);
    }

    [TestMethod]
    public void A_missing_file_is_AMCT2001()
    {
        using var temp = new TempFolder();
        AssertLoadFails(temp.File("nope.onnx"), ErrorCodes.ModelNotFound, "does not exist");
        AssertLoadFails(temp.Path, ErrorCodes.ModelNotFound, "is a folder");
    }

    [TestMethod]
    public void A_zero_length_file_is_AMCT2002()
    {
        using var temp = new TempFolder();
        var path = temp.File("empty.onnx");
        File.WriteAllBytes(path, []);
        AssertLoadFails(path, ErrorCodes.ModelEmpty, "empty");
    }

    [TestMethod]
    public void Random_bytes_are_rejected_as_not_a_model()
    {
        using var temp = new TempFolder();
        var random = new Random(1234);
        for (var i = 0; i < 50; i++)
        {
            var bytes = new byte[random.Next(1, 4096)];
            random.NextBytes(bytes);
            var path = temp.File($"random{i}.onnx");
            File.WriteAllBytes(path, bytes);
            var error = Assert.ThrowsExactly<AmctException>(() => ModelLoader.Load(path), $"sample {i}");
            Assert.IsTrue(error.Code is ErrorCodes.ModelNotProtobuf or ErrorCodes.ModelNotOnnx, $"{error.Code}: {error.Message}");
            Assert.AreEqual(path, error.Target);
        }
    }

    [TestMethod]
    public void Text_file_is_not_a_model()
    {
        using var temp = new TempFolder();
        var path = temp.File("readme.onnx");
        File.WriteAllText(path, "this is not a model\n");
        var error = Assert.ThrowsExactly<AmctException>(() => ModelLoader.Load(path));
        Assert.IsTrue(error.Code is ErrorCodes.ModelNotProtobuf or ErrorCodes.ModelNotOnnx, error.Message);
    }

    [TestMethod]
    public void A_truncated_model_is_rejected_at_every_cut()
    {
        using var temp = new TempFolder();
        var bytes = ModelBuilder.Gemm(16, 8).ToByteArray();
        var path = temp.File("cut.onnx");
        // Cutting anywhere inside the model (not only in the middle) must be detected.
        for (var length = 1; length < bytes.Length; length += 7)
        {
            File.WriteAllBytes(path, bytes[..length]);
            var error = Assert.ThrowsExactly<AmctException>(() => ModelLoader.Load(path), $"cut at {length}");
            StringAssert.StartsWith(error.Code, "AMCT2");
            Assert.AreEqual(path, error.Target);
        }
    }

    [TestMethod]
    public void A_tensor_declaring_more_elements_than_its_data_holds_is_AMCT2007()
    {
        using var temp = new TempFolder();
        var model = ModelBuilder.Gemm();
        model.Graph.Initializer[0].Dims[0] = 1_000_000_000; // W claims 4e9 elements but holds 12
        var path = temp.File("short.onnx");
        ModelBuilder.Write(model, path);
        var error = AssertLoadFails(path, ErrorCodes.TensorDataMismatch, "'W'");
        StringAssert.Contains(error.Message, "1000000000");
    }

    [TestMethod]
    public void A_malformed_constant_inside_a_subgraph_is_found()
    {
        using var temp = new TempFolder();
        var badConstant = new TensorProto { Name = "c", DataType = DataTypes.Float, Dims = { 5 }, FloatData = { 1f } };
        var body = new GraphProto { Name = "then" };
        body.Node.Add(new NodeProto
        {
            OpType = "Constant",
            Output = { "c" },
            Attribute = { new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = badConstant } },
        });
        var model = new ModelBuilder()
            .Input("cond", DataTypes.Bool)
            .Node("If", ["cond"], ["y"], "if", ModelBuilder.GraphAttribute("then_branch", body), ModelBuilder.GraphAttribute("else_branch", body))
            .Build();
        var path = temp.File("if.onnx");
        ModelBuilder.Write(model, path);
        AssertLoadFails(path, ErrorCodes.TensorDataMismatch, "'c'");
    }

    [TestMethod]
    public void Deeply_nested_graphs_hit_the_recursion_limit_as_AMCT2005()
    {
        using var temp = new TempFolder();
        var model = NestedIfs(60);
        var path = temp.File("deep.onnx");
        ModelBuilder.Write(model, path);
        AssertLoadFails(path, ErrorCodes.ModelTooDeep, "levels deep");
    }

    [TestMethod]
    public void Nesting_within_the_limit_loads()
    {
        using var temp = new TempFolder();
        var model = NestedIfs(20);
        var path = temp.File("nested.onnx");
        ModelBuilder.Write(model, path);
        Assert.AreEqual(model, ModelLoader.Load(path));
    }

    [TestMethod]
    public void A_protobuf_that_is_not_a_model_is_AMCT2004()
    {
        using var temp = new TempFolder();
        var path = temp.File("graphless.onnx");
        File.WriteAllBytes(path, new ModelProto { IrVersion = 8, OpsetImport = { new OperatorSetIdProto { Version = 13 } } }.ToByteArray());
        AssertLoadFails(path, ErrorCodes.ModelNotOnnx, "no graph");
    }

    /// <summary>A model whose graph is an If whose branch is an If ... <paramref name="depth"/> levels down.</summary>
    private static ModelProto NestedIfs(int depth)
    {
        var graph = new GraphProto { Name = "innermost" };
        for (var level = 0; level < depth; level++)
        {
            var outer = new GraphProto { Name = $"level{level}" };
            outer.Node.Add(new NodeProto { OpType = "If", Input = { "c" }, Output = { "y" }, Attribute = { ModelBuilder.GraphAttribute("then_branch", graph) } });
            graph = outer;
        }
        var model = new ModelBuilder().Build();
        model.Graph = graph;
        return model;
    }

    internal static AmctException AssertLoadFails(string path, string code, string messagePart)
    {
        var error = Assert.ThrowsExactly<AmctException>(() => ModelLoader.Load(path));
        Assert.AreEqual(code, error.Code, error.Message);
        Assert.AreEqual(Path.GetFullPath(path), error.Target);
        StringAssert.Contains(error.Message, messagePart);
        return error;
    }
}
