using Amct.Engine.Onnx;
using Google.Protobuf;

namespace Amct.TestSupport;

/// <summary>
/// Models the loader accepts but ONNX Runtime refuses (issue 11, class 1), each a small change to a model that
/// quantizes: the hostile reproducers, built in code.
/// </summary>
public static class HostileModels
{
    /// <summary>A Gemm followed by a Relu, so a node of the model can be changed while a layer stays quantizable.</summary>
    public static ModelProto GemmRelu()
    {
        var model = ModelBuilder.Gemm();
        model.Graph.Output[0].Name = "Z";
        model.Graph.Node.Add(new NodeProto { OpType = "Relu", Name = "relu", Input = { "Y" }, Output = { "Z" } });
        return model;
    }

    /// <summary>The reproducers: name, the model, and the node the error should name (null when ORT names none).</summary>
    public static IEnumerable<(string Name, ModelProto Model, string? Node)> RefusedByRuntime()
    {
        yield return ("two nodes write one tensor", With(GemmRelu(), m =>
            m.Graph.Node.Add(new NodeProto { OpType = "Relu", Name = "relu2", Input = { "Y" }, Output = { "Z" } })), null);
        yield return ("unknown operator", With(GemmRelu(), m => m.Graph.Node[1].OpType = "NoSuchOp"), "relu");
        yield return ("unknown domain", With(GemmRelu(), m => m.Graph.Node[1].Domain = "com.nowhere"), "relu");
        yield return ("empty op_type", With(GemmRelu(), m => m.Graph.Node[1].OpType = ""), null);
        yield return ("opset 99", With(GemmRelu(), m => m.OpsetImport[0].Version = 99), null);
        yield return ("IR version 1000", With(GemmRelu(), m => m.IrVersion = 1000), null);
        yield return ("Conv strides 0", ConvWithStrides(0), "conv");
    }

    /// <summary>Reproducers ONNX Runtime may accept (as it reads them) or refuse: either way the outcome is coded.</summary>
    public static IEnumerable<(string Name, ModelProto Model)> Questionable()
    {
        yield return ("Gemm transB=5", With(GemmRelu(), m => m.Graph.Node[0].Attribute[0].I = 5));
        yield return ("node consumes its own output", With(GemmRelu(), m => m.Graph.Node[1].Input[0] = "Z"));
        yield return ("initializer with a zero dim", With(GemmRelu(), m =>
        {
            m.Graph.Initializer[0].Dims[0] = 0;
            m.Graph.Initializer[0].ClearRawData();
            m.Graph.Initializer[0].RawData = ByteString.Empty;
        }));
    }

    public static ModelProto ConvWithStrides(long stride)
    {
        var weights = Enumerable.Range(0, 2 * 1 * 3 * 3).Select(i => (i % 5 - 2) * 0.1f).ToArray();
        return new ModelBuilder()
            .Input("X", DataTypes.Float, 1, 1, 6, 6)
            .Output("Y", DataTypes.Float, 1, 2, 4, 4)
            .Initializer("W", [2, 1, 3, 3], weights)
            .Node("Conv", ["X", "W"], ["Y"], "conv", new AttributeProto
            {
                Name = "strides", Type = AttributeProto.Types.AttributeType.Ints, Ints = { stride, stride },
            })
            .Build();
    }

    /// <summary><see cref="ModelBuilder.Gemm"/> whose weight W lives in external data with these reference entries.</summary>
    public static ModelProto WithExternalWeights(params (string Key, string Value)[] entries)
    {
        var model = ModelBuilder.Gemm();
        var w = model.Graph.Initializer.Single(t => t.Name == "W");
        w.ClearRawData();
        w.DataLocation = TensorProto.Types.DataLocation.External;
        foreach (var (key, value) in entries)
        {
            w.ExternalData.Add(new StringStringEntryProto { Key = key, Value = value });
        }
        return model;
    }

    public static ModelProto With(ModelProto model, Action<ModelProto> change)
    {
        change(model);
        return model;
    }
}
