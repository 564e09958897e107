using System.Globalization;
using Amct.Engine.Onnx;

namespace Amct.Engine.Tests.Graph;

/// <summary>Deterministic test data and tolerant comparison of outputs.</summary>
internal static class TestTensors
{
    /// <summary>Values spread over [low, high), the same for the same seed.</summary>
    public static float[] Values(int count, int seed, float low = -1f, float high = 1f)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => low + (float)random.NextDouble() * (high - low)).ToArray();
    }

    public static TensorProto Random(string name, long[] dims, int seed, float low = -1f, float high = 1f) =>
        TensorData.FromArray<float>(name, dims, Values((int)dims.Aggregate(1L, (a, b) => a * b), seed, low, high));

    /// <summary>
    /// Asserts equal shapes and types and, element by element, |actual − expected| ≤ tolerance · max(|expected|,
    /// 1% of the largest |expected|): relative, with a floor so values that cancel to nearly 0 are not held to a
    /// relative bound their rounding cannot meet.
    /// </summary>
    public static void AssertClose(TensorProto expected, TensorProto actual, double tolerance, string what = "output")
    {
        Assert.AreEqual(expected.DataType, actual.DataType, $"{what}: element type");
        CollectionAssert.AreEqual(expected.Dims.ToArray(), actual.Dims.ToArray(), $"{what}: shape");
        var e = TensorData.ToDoubles(expected);
        var a = TensorData.ToDoubles(actual);
        var floor = 0.01 * e.Select(Math.Abs).DefaultIfEmpty(0).Max();
        for (var i = 0; i < e.Length; i++)
        {
            var bound = tolerance * Math.Max(Math.Abs(e[i]), floor);
            if (!(Math.Abs(a[i] - e[i]) <= bound))
            {
                Assert.Fail(string.Create(CultureInfo.InvariantCulture,
                    $"{what}: element {i} is {a[i]}, expected {e[i]} (allowed difference {bound})"));
            }
        }
    }

    public static void AssertAllClose(IReadOnlyList<TensorProto> expected, IReadOnlyList<TensorProto> actual, double tolerance)
    {
        Assert.HasCount(expected.Count, actual);
        for (var i = 0; i < expected.Count; i++)
        {
            AssertClose(expected[i], actual[i], tolerance, $"output {i} ({expected[i].Name})");
        }
    }

    /// <summary>A float tensor value of unknown shape (for graph outputs whose shape a test does not spell out).</summary>
    public static ValueInfoProto UnshapedFloat(string name) =>
        new() { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = DataTypes.Float } } };
}
