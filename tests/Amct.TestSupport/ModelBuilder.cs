using Amct.Engine.Onnx;
using Google.Protobuf;

namespace Amct.TestSupport;

/// <summary>
/// Builds small ONNX models in code for tests: add inputs, initializers and nodes, then <see cref="Build"/>.
/// Defaults to IR 8 and the default-domain opset 13.
/// </summary>
public sealed class ModelBuilder
{
    private readonly GraphProto _graph = new() { Name = "test" };
    private readonly ModelProto _model = new() { IrVersion = 8, ProducerName = "amct-tests" };

    public ModelBuilder(long opset = 13) =>
        _model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });

    public ModelBuilder Input(string name, int dataType, params long[] shape)
    {
        _graph.Input.Add(Value(name, dataType, shape));
        return this;
    }

    public ModelBuilder Output(string name, int dataType, params long[] shape)
    {
        _graph.Output.Add(Value(name, dataType, shape));
        return this;
    }

    /// <summary>An output whose shape the model leaves to inference (ONNX Runtime checks a declared one against it).</summary>
    public ModelBuilder OutputOfAnyShape(string name, int dataType)
    {
        _graph.Output.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = dataType } } });
        return this;
    }

    public ModelBuilder Initializer(TensorProto tensor)
    {
        _graph.Initializer.Add(tensor);
        return this;
    }

    public ModelBuilder Initializer(string name, long[] dims, float[] values) =>
        Initializer(TensorData.FromArray<float>(name, dims, values));

    public ModelBuilder Node(string opType, string[] inputs, string[] outputs, string? name = null,
        params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = name ?? outputs[0] + "_node" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return this;
    }

    public ModelProto Build() => new(_model) { Graph = _graph.Clone() };

    public static ValueInfoProto Value(string name, int dataType, long[] shape)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = dataType, Shape = new TensorShapeProto() };
        foreach (var dim in shape)
        {
            tensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = dim });
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }

    public static AttributeProto IntAttribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto FloatAttribute(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto IntsAttribute(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    public static AttributeProto TensorAttribute(string name, TensorProto value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = value };

    /// <summary>Deterministic weight-like values in [-scale, scale]: a sine pattern, so no two channels are alike.</summary>
    public static float[] Pattern(long count, double scale = 0.5, double phase = 0) =>
        Enumerable.Range(0, (int)count).Select(i => (float)(scale * Math.Sin(0.37 * i + phase))).ToArray();

    public static AttributeProto GraphAttribute(string name, GraphProto graph) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Graph, G = graph };

    /// <summary>Y = X·Wᵀ + B: a Gemm with a constant [outputs, inputs] weight, deterministic values.</summary>
    public static ModelProto Gemm(int inputs = 4, int outputs = 3)
    {
        var weights = Enumerable.Range(0, inputs * outputs).Select(i => (i % 7 - 3) * 0.25f).ToArray();
        var bias = Enumerable.Range(0, outputs).Select(i => i * 0.5f).ToArray();
        return new ModelBuilder()
            .Input("X", DataTypes.Float, 1, inputs)
            .Output("Y", DataTypes.Float, 1, outputs)
            .Initializer("W", [outputs, inputs], weights)
            .Initializer("B", [outputs], bias)
            .Node("Gemm", ["X", "W", "B"], ["Y"], "fc", IntAttribute("transB", 1))
            .Build();
    }

    public static void Write(ModelProto model, string path) => File.WriteAllBytes(path, model.ToByteArray());
}
