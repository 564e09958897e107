using Amct.Engine.Data;
using Amct.Engine.Onnx;
using Amct.TestSupport;
using static Amct.Engine.Tests.Data.DataAssert;

namespace Amct.Engine.Tests.Data;

/// <summary>NaN and infinity in floating-point data: found as rows are read, counted, and reported with where they start.</summary>
[TestClass]
public sealed class NonFiniteTests
{
    [TestMethod]
    public void NaN_and_Inf_are_AMCT3013_with_counts_and_the_first_sample()
    {
        using var temp = new TempFolder();
        var path = temp.File("x.npy");
        var values = new float[10 * 3];
        values[4 * 3 + 1] = float.NaN;
        values[7 * 3] = float.PositiveInfinity;
        values[7 * 3 + 2] = float.NegativeInfinity;
        values[9 * 3] = float.NaN;
        NpyWriter.Write<float>(path, [10, 3], values);
        Fails(path, [Float("x", N, 3)], ErrorCodes.DataNotFinite, path,
            "input 'x': 2 NaN and 2 infinite values, the first in sample 4 ('x.npy')", "nan_to_num");
    }

    [TestMethod]
    public void Samples_before_the_first_bad_one_are_read_and_none_after()
    {
        using var temp = new TempFolder();
        var path = temp.File("x.npy");
        NpyWriter.Write<float>(path, [5, 1], [0, 1, 2, float.NaN, 4]);
        using var source = SampleSources.Open(path, [Float("x", N, 1)]);
        var seen = new List<long>();
        var error = Assert.ThrowsExactly<AmctException>(() =>
        {
            foreach (var sample in source.Read())
            {
                seen.Add(sample.Index);
            }
        });
        Assert.AreEqual(ErrorCodes.DataNotFinite, error.Code);
        CollectionAssert.AreEqual(new long[] { 0, 1, 2 }, seen);
    }

    [TestMethod]
    public void Every_input_is_counted_and_the_target_is_the_first_bad_file()
    {
        using var temp = new TempFolder();
        NpyWriter.Write<double>(temp.File("a.npy"), [3, 1], [0, 0, double.NaN]);
        var b = temp.File("b.npy");
        NpyWriter.Write<Half>(b, [3, 2], [Half.Zero, Half.PositiveInfinity, Half.Zero, Half.Zero, Half.NaN, Half.NaN]);
        Fails(temp.Path, [Input("a", DataTypes.Double, N, 1), Input("b", DataTypes.Float16, N, 2)], ErrorCodes.DataNotFinite, b,
            "input 'a': 1 NaN and 0 infinite values, the first in sample 2 ('a.npy')",
            "input 'b': 2 NaN and 1 infinite values, the first in sample 0 ('b.npy')");
    }

    [TestMethod]
    public void Counts_add_up_across_the_files_of_a_folder()
    {
        using var temp = new TempFolder();
        var first = temp.File("a.npy");
        NpyWriter.Write<float>(first, [2, 1], [0, float.NaN]);
        NpyWriter.Write<float>(temp.File("b.npy"), [3, 1], [float.NaN, 0, float.PositiveInfinity]);
        Fails(temp.Path, [Float("x", N, 1)], ErrorCodes.DataNotFinite, first,
            "input 'x': 2 NaN and 1 infinite values, the first in sample 1 ('a.npy')");
    }

    [TestMethod]
    public void Test_data_is_checked_too()
    {
        using var temp = new TempFolder();
        var path = temp.File("test_data_set_0/input_0.pb");
        TestDataFolderTests.WriteTensor(path, TensorData.FromArray<float>("x", [2, 2], [1, 2, float.NegativeInfinity, 4]));
        Fails(temp.Path, [Float("x", N, 2)], ErrorCodes.DataNotFinite, path, "0 NaN and 1 infinite values, the first in sample 1 ('test_data_set_0/input_0.pb')");
    }

    [TestMethod]
    public void Sixteen_bit_floats_are_classified_by_their_bits()
    {
        // float16: 0x7C00 +inf, 0xFC00 -inf, 0x7E00 NaN, 0x7BFF largest finite; bfloat16: 0x7F80 inf, 0x7FC0 NaN.
        byte[] half = [0x00, 0x7C, 0x00, 0xFC, 0x00, 0x7E, 0xFF, 0x7B];
        Assert.AreEqual((1L, 2L), NonFiniteTally.Count(half, DataTypes.Float16));
        byte[] bfloat = [0x80, 0x7F, 0xC0, 0x7F, 0x7F, 0x7F, 0x80, 0x3F];
        Assert.AreEqual((1L, 1L), NonFiniteTally.Count(bfloat, DataTypes.BFloat16));
        Assert.AreEqual((0L, 0L), NonFiniteTally.Count([0xFF, 0xFF, 0xFF, 0xFF], DataTypes.Int32));
    }

    [TestMethod]
    public void Finite_extremes_are_accepted()
    {
        using var temp = new TempFolder();
        var path = temp.File("x.npy");
        NpyWriter.Write<float>(path, [2, 2], [float.MaxValue, float.MinValue, float.Epsilon, -0f]);
        Assert.HasCount(2, ReadAll(path, Float("x", N, 2)));
    }
}
