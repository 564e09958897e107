using Amct.Engine.Data;
using Amct.Engine.Onnx;
using Amct.TestSupport;
using static Amct.Engine.Tests.Data.DataAssert;

namespace Amct.Engine.Tests.Data;

/// <summary>Batch sizes chosen from the model's inputs, and samples stacked into tensors of [count, ...sample dims].</summary>
[TestClass]
public sealed class SampleBatchesTests
{
    [TestMethod]
    public void The_batch_size_follows_a_fixed_first_dimension()
    {
        Assert.AreEqual(1, SampleBatches.ChooseBatchSize([Float("x", 1, 3)]));
        Assert.AreEqual(1, SampleBatches.ChooseBatchSize([Float("x", 1, 3), Float("y", N, 2)], 32));
        Assert.AreEqual(8, SampleBatches.ChooseBatchSize([Float("x", 8, 3)], 32));
        Assert.AreEqual(16, SampleBatches.ChooseBatchSize([Float("x", N, 3), Float("y", N)]));
        Assert.AreEqual(5, SampleBatches.ChooseBatchSize([Float("x", N, 3)], 5));
        // Without a data path, the error is about the model's first input.
        var error = Assert.ThrowsExactly<AmctException>(() => SampleBatches.ChooseBatchSize([Float("x", 1, 3), Float("y", 4)]));
        Assert.AreEqual(ErrorCodes.InputNotBatchable, error.Code);
        Assert.AreEqual("x", error.Target);
        StringAssert.Contains(error.Message, "'x' float32 [1,3], 'y' float32 [4]");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SampleBatches.ChooseBatchSize([Float("x", N)], 0));
    }

    [TestMethod]
    public void A_dynamic_batch_ends_with_a_partial_batch()
    {
        using var temp = new TempFolder();
        var path = WriteRows(temp, 10);
        ModelInput[] inputs = [Float("x", N, 2)];
        using var source = SampleSources.Open(path, inputs);
        var batches = SampleBatches.Read(source, inputs, 4).ToList();
        CollectionAssert.AreEqual(new[] { 4, 4, 2 }, batches.Select(b => b.Count).ToArray());
        CollectionAssert.AreEqual(new long[] { 0, 4, 8 }, batches.Select(b => b.FirstIndex).ToArray());
        CollectionAssert.AreEqual(new long[] { 2, 2 }, batches[2].Inputs["x"].Dims.ToArray());
        CollectionAssert.AreEqual(new float[] { 16, 17, 18, 19 }, TensorData.ToArray<float>(batches[2].Inputs["x"]));
        CollectionAssert.AreEqual(Enumerable.Range(0, 20).Select(i => (float)i).ToArray(),
            batches.SelectMany(b => TensorData.ToArray<float>(b.Inputs["x"])).ToArray());
        Assert.AreEqual(0, SampleBatches.UnusedSamples(source, inputs, 4));
    }

    [TestMethod]
    public void A_fixed_batch_of_F_drops_the_last_partial_batch_and_says_how_many()
    {
        using var temp = new TempFolder();
        var path = WriteRows(temp, 10);
        ModelInput[] inputs = [Float("x", 4, 2)];
        using var source = SampleSources.Open(path, inputs);
        var batchSize = SampleBatches.ChooseBatchSize(inputs);
        Assert.AreEqual(4, batchSize);
        var batches = SampleBatches.Read(source, inputs, batchSize).ToList();
        CollectionAssert.AreEqual(new[] { 4, 4 }, batches.Select(b => b.Count).ToArray());
        CollectionAssert.AreEqual(new long[] { 4, 2 }, batches[1].Inputs["x"].Dims.ToArray());
        Assert.AreEqual(2, SampleBatches.UnusedSamples(source, inputs, batchSize));
        Assert.AreEqual(3, SampleBatches.UnusedSamples(source, inputs, batchSize, maxSamples: 7));
        Assert.ThrowsExactly<ArgumentException>(() => SampleBatches.Read(source, inputs, 16));
    }

    [TestMethod]
    public void A_fixed_batch_of_1_feeds_one_sample_at_a_time()
    {
        using var temp = new TempFolder();
        var path = WriteRows(temp, 3);
        ModelInput[] inputs = [Float("x", 1, 2)];
        using var source = SampleSources.Open(path, inputs);
        var batches = SampleBatches.Read(source, inputs, SampleBatches.ChooseBatchSize(inputs)).ToList();
        Assert.HasCount(3, batches);
        CollectionAssert.AreEqual(new long[] { 1, 2 }, batches[2].Inputs["x"].Dims.ToArray());
        CollectionAssert.AreEqual(new float[] { 4, 5 }, TensorData.ToArray<float>(batches[2].Inputs["x"]));
        Assert.AreEqual(0, SampleBatches.UnusedSamples(source, inputs, 1));
    }

    [TestMethod]
    public void Max_samples_stops_reading_early()
    {
        using var temp = new TempFolder();
        var path = WriteRows(temp, 10);
        ModelInput[] inputs = [Float("x", N, 2)];
        using var source = SampleSources.Open(path, inputs);
        var batches = SampleBatches.Read(source, inputs, 4, maxSamples: 5).ToList();
        CollectionAssert.AreEqual(new[] { 4, 1 }, batches.Select(b => b.Count).ToArray());
        Assert.IsEmpty(SampleBatches.Read(source, inputs, 4, maxSamples: 0).ToList());
        // A NaN past the limit is never read.
        var nan = temp.File("nan.npy");
        NpyWriter.Write<float>(nan, [3, 1], [1, 2, float.NaN]);
        ModelInput[] one = [Float("x", N, 1)];
        using var nanSource = SampleSources.Open(nan, one);
        Assert.AreEqual(2, SampleBatches.Read(nanSource, one, 8, maxSamples: 2).Single().Count);
    }

    [TestMethod]
    public void Every_input_gets_its_own_tensor()
    {
        using var temp = new TempFolder();
        var path = temp.File("d.npz");
        NpyWriter.WriteNpz(path, false,
            ("a", NpyWriter.Bytes<float>([3, 1], [1, 2, 3])),
            ("b", NpyWriter.Bytes<long>([3, 2], [1, 2, 3, 4, 5, 6])));
        ModelInput[] inputs = [Float("a", N, 1), Input("b", DataTypes.Int64, N, 2)];
        using var source = SampleSources.Open(path, inputs);
        var batch = SampleBatches.Read(source, inputs, 2).First();
        Assert.AreEqual(DataTypes.Int64, batch.Inputs["b"].DataType);
        Assert.AreEqual("b", batch.Inputs["b"].Name);
        CollectionAssert.AreEqual(new long[] { 1, 2, 3, 4 }, TensorData.ToArray<long>(batch.Inputs["b"]));
        CollectionAssert.AreEqual(new long[] { 2, 1 }, batch.Inputs["a"].Dims.ToArray());
    }

    [TestMethod]
    public void Samples_of_different_shapes_start_a_new_dynamic_batch_and_break_a_fixed_one()
    {
        using var temp = new TempFolder();
        // Two files of a single-input model whose second dim is dynamic: 3 rows of width 2, then 2 rows of width 3.
        NpyWriter.Write<float>(temp.File("a.npy"), [3, 2], new float[6]);
        NpyWriter.Write<float>(temp.File("b.npy"), [2, 3], new float[6]);
        ModelInput[] dynamic = [Float("x", N, N)];
        using (var source = SampleSources.Open(temp.Path, dynamic))
        {
            var batches = SampleBatches.Read(source, dynamic, 4).ToList();
            CollectionAssert.AreEqual(new[] { 3, 2 }, batches.Select(b => b.Count).ToArray());
            CollectionAssert.AreEqual(new long[] { 2, 3 }, batches[1].Inputs["x"].Dims.ToArray());
        }
        ModelInput[] fixedBatch = [Float("x", 4, N)];
        using (var source = SampleSources.Open(temp.Path, fixedBatch))
        {
            Throws(() => _ = SampleBatches.Read(source, fixedBatch, 4).ToList(), ErrorCodes.DataShapeMismatch, temp.Path,
                "samples 0 and 3 have different shapes", "'x' [2] and 'x' [3]");
        }
    }

    private static string WriteRows(TempFolder temp, int rows)
    {
        var path = temp.File("x.npy");
        NpyWriter.Write<float>(path, [rows, 2], Enumerable.Range(0, rows * 2).Select(i => (float)i).ToArray());
        return path;
    }
}
