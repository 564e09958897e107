using Amct.Engine.Onnx;
using Amct.Engine.Quantization.Rounding;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Quantization.Rounding;

/// <summary>The layers' input second moments H = Σ x xᵀ as ONNX Runtime computes them, against a direct computation.</summary>
[TestClass]
public sealed class InputMomentsTests
{
    /// <summary>
    /// A grouped convolution with every geometry attribute away from its default (a 3 × 2 kernel, strides 2 and 1,
    /// dilations 1 and 2, uneven pads, 2 groups) on a non-square input: each group's H must equal the one summed over
    /// patches cut by hand, in the weight's [channel, kernel row, kernel column] order.
    /// </summary>
    [TestMethod]
    public void A_convolutions_moments_are_those_of_its_patches_per_group()
    {
        long[] shape = [2, 4, 7, 6];
        var x = ModelBuilder.Pattern(2 * 4 * 7 * 6, scale: 1, phase: 0.3);
        var conv = new ConvPatches([3, 2], [2, 1], [1, 2], [1, 0, 0, 1], Groups: 2);
        var layout = new RoundingLayout(2, 3, 2 * 3 * 2, 2 * 3 * 2, 1, conv);
        var model = new ModelBuilder()
            .Input("X", DataTypes.Float, shape)
            .OutputOfAnyShape("Y", DataTypes.Float)
            .Initializer("W", [6, 2, 3, 2], ModelBuilder.Pattern(6 * 2 * 3 * 2))
            .Node("Conv", ["X", "W"], ["Y"], "conv", ModelBuilder.IntAttribute("group", 2),
                ModelBuilder.IntsAttribute("strides", 2, 1), ModelBuilder.IntsAttribute("dilations", 1, 2),
                ModelBuilder.IntsAttribute("pads", 1, 0, 0, 1))
            .Build();

        var (measured, vectors) = Measure(model, layout, "X", shape, x);
        Assert.AreEqual(2 * 3 * 5, vectors, "2 samples of 3 × 5 output positions");

        for (var g = 0; g < 2; g++)
        {
            var expected = new double[12 * 12];
            for (var n = 0; n < 2; n++)
            {
                // Output size per axis: (size + pads − dilation·(kernel − 1) − 1) / stride + 1.
                for (var oh = 0; oh < ((7 + 1 + 0 - 2 - 1) / 2) + 1; oh++)
                {
                    for (var ow = 0; ow < ((6 + 0 + 1 - 2 - 1) / 1) + 1; ow++)
                    {
                        var patch = new double[12];
                        for (var c = 0; c < 2; c++)
                        {
                            for (var i = 0; i < 3; i++)
                            {
                                for (var j = 0; j < 2; j++)
                                {
                                    var (h, w) = ((oh * 2) - 1 + i, ow - 0 + (2 * j));
                                    patch[(c * 6) + (i * 2) + j] = h is >= 0 and < 7 && w is >= 0 and < 6
                                        ? x[(((n * 4) + (g * 2) + c) * 42) + (h * 6) + w] : 0;
                                }
                            }
                        }
                        AddOuter(expected, patch);
                    }
                }
            }
            AssertClose(expected, measured[g], $"group {g}");
        }
    }

    [TestMethod]
    public void A_matrix_products_moments_are_those_of_its_input_rows()
    {
        long[] shape = [2, 3, 5];
        var x = ModelBuilder.Pattern(30, scale: 1, phase: 1.1);
        var model = new ModelBuilder()
            .Input("X", DataTypes.Float, shape)
            .OutputOfAnyShape("Y", DataTypes.Float)
            .Initializer("W", [5, 4], ModelBuilder.Pattern(20))
            .Node("MatMul", ["X", "W"], ["Y"], "matmul")
            .Build();

        var (measured, vectors) = Measure(model, new RoundingLayout(1, 4, 5, 1, 4, null), "X", shape, x);
        Assert.AreEqual(6, vectors);

        var expected = new double[25];
        for (var row = 0; row < 6; row++)
        {
            AddOuter(expected, x.Skip(row * 5).Take(5).Select(v => (double)v).ToArray());
        }
        AssertClose(expected, measured[0], "rows");
    }

    /// <summary>
    /// The pass hands the float model's outputs, which it computes anyway, to the output check's reference. The pass runs
    /// a model whose weight is twice the file's, so outputs the reference computed itself from the file would be half.
    /// </summary>
    [TestMethod]
    public void The_pass_keeps_the_float_outputs_for_the_output_check()
    {
        using var folder = new TempFolder();
        long[] shape = [2, 3, 5];
        var x = ModelBuilder.Pattern(30, scale: 1, phase: 1.1);
        ModelProto WithWeight(float factor) => new ModelBuilder()
            .Input("X", DataTypes.Float, shape)
            .OutputOfAnyShape("Y", DataTypes.Float)
            .Initializer("W", [5, 4], ModelBuilder.Pattern(20).Select(w => w * factor).ToArray())
            .Node("MatMul", ["X", "W"], ["Y"], "matmul")
            .Build();
        var file = folder.File("model.onnx");
        ModelBuilder.Write(WithWeight(1), file);
        var batch = new Dictionary<string, TensorProto> { ["X"] = TensorData.FromArray<float>("X", shape, x) };
        using var reference = new Amct.Engine.Evaluation.FloatReference(file);

        InputMoments.Measure(WithWeight(2), [new MomentLayer("X", new RoundingLayout(1, 4, 5, 1, 4, null))], [batch], "test", reference);

        using var value = OrtTensors.ToOrtValue(batch["X"], "X");
        using var runOptions = new Microsoft.ML.OnnxRuntime.RunOptions();
        var kept = reference.Run(0, ["X"], [value], ["Y"], runOptions).Outputs[0];
        using var fresh = new Amct.Engine.Evaluation.FloatReference(file);
        var computed = fresh.Run(0, ["X"], [value], ["Y"], runOptions).Outputs[0];
        CollectionAssert.AreEqual(computed.Select(v => v * 2).ToArray(), kept, "the pass's outputs, not the file's");
    }

    private static (double[][] Groups, long Vectors) Measure(ModelProto model, RoundingLayout layout, string input, long[] shape, float[] values)
    {
        var batch = new Dictionary<string, TensorProto> { [input] = TensorData.FromArray<float>(input, shape, values) };
        var moments = InputMoments.Measure(model, [new MomentLayer(input, layout)], [batch], "test")[0];
        return (moments.Groups, moments.Vectors);
    }

    private static void AddOuter(double[] sum, double[] v)
    {
        for (var i = 0; i < v.Length; i++)
        {
            for (var j = 0; j < v.Length; j++)
            {
                sum[(i * v.Length) + j] += v[i] * v[j];
            }
        }
    }

    private static void AssertClose(double[] expected, double[] actual, string what)
    {
        Assert.HasCount(expected.Length, actual, what);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.AreEqual(expected[i], actual[i], 1e-4 * (1 + Math.Abs(expected[i])), $"{what}, element {i}");
        }
    }
}
