using Amct.Engine.Data;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Data;

/// <summary>Class-index labels from a 1-D .npy, and every way a labels file can be wrong.</summary>
[TestClass]
public sealed class LabelsTests
{
    [TestMethod]
    public void Int64_and_int32_labels_are_read()
    {
        using var temp = new TempFolder();
        var path = temp.File("labels.npy");
        NpyWriter.Write<long>(path, [4], [3, 0, 9, 1]);
        CollectionAssert.AreEqual(new long[] { 3, 0, 9, 1 }, Labels.Read(path, 4));
        NpyWriter.Write<int>(path, [4], [3, 0, 9, 1]);
        CollectionAssert.AreEqual(new long[] { 3, 0, 9, 1 }, Labels.Read(path, 4));
    }

    [TestMethod]
    public void More_labels_than_samples_is_AMCT3043_naming_the_labels_and_the_data()
    {
        // 200 labels scored against the first 20 samples of other data looked like a 7.5 % accuracy (issue 12).
        using var temp = new TempFolder();
        var path = temp.File("labels.npy");
        NpyWriter.Write<long>(path, [4], [3, 0, 9, 1]);
        DataAssert.Throws(() => Labels.Read(path, 2), ErrorCodes.LabelsTooMany, path, "holds 4 labels", "2 samples");
        var data = temp.File("x.npy");
        NpyWriter.Write<float>(data, [2, 3], [0, 1, 2, 3, 4, 5]);
        using var source = SampleSources.Open(data, [DataAssert.Float("x", DataAssert.N, 3)]);
        DataAssert.Throws(() => Labels.Read(path, source), ErrorCodes.LabelsTooMany, path, "holds 4 labels", data, "2 samples");
    }

    [TestMethod]
    public void The_real_digits_labels_are_class_indices_0_to_9()
    {
        var labels = Labels.Read(TestData.PathOf("digits-cnn/test_y.npy"), 497);
        Assert.HasCount(497, labels);
        Assert.IsTrue(labels.All(l => l is >= 0 and <= 9));
        Assert.AreEqual(10, labels.Distinct().Count());
    }

    [TestMethod]
    public void Fewer_labels_than_samples_is_AMCT3018()
    {
        using var temp = new TempFolder();
        var path = temp.File("labels.npy");
        NpyWriter.Write<long>(path, [3], [1, 2, 3]);
        DataAssert.Throws(() => Labels.Read(path, 5), ErrorCodes.LabelsTooFew, path, "holds 3 labels", "the data holds 5 samples");
    }

    [TestMethod]
    public void A_negative_label_is_AMCT3019()
    {
        using var temp = new TempFolder();
        var path = temp.File("labels.npy");
        NpyWriter.Write<long>(path, [3], [1, -1, 3]);
        DataAssert.Throws(() => Labels.Read(path, 3), ErrorCodes.LabelsNegative, path, "the label of sample 1 is -1");
    }

    [TestMethod]
    public void Wrong_rank_or_dtype_is_AMCT3017()
    {
        using var temp = new TempFolder();
        var path = temp.File("labels.npy");
        NpyWriter.Write<long>(path, [2, 1], [1, 2]);
        DataAssert.Throws(() => Labels.Read(path, 2), ErrorCodes.LabelsInvalid, path, "holds int64 [2,1]", "1-D array");
        NpyWriter.Write<float>(path, [2], [1, 2]);
        DataAssert.Throws(() => Labels.Read(path, 2), ErrorCodes.LabelsInvalid, path, "holds float32 [2]", "dtype=numpy.int64");
        NpyWriter.Write<long>(path, [], [1]);
        DataAssert.Throws(() => Labels.Read(path, 1), ErrorCodes.LabelsInvalid, path, "holds int64 []");
    }

    [TestMethod]
    public void Missing_truncated_and_unknown_files_are_coded_errors()
    {
        using var temp = new TempFolder();
        DataAssert.Throws(() => Labels.Read(temp.File("none.npy"), 1), ErrorCodes.DataNotFound, temp.File("none.npy"), "does not exist");
        DataAssert.Throws(() => Labels.Read(temp.Path, 1), ErrorCodes.DataNotFound, temp.Path, "is a folder");
        var path = temp.File("labels.npy");
        File.WriteAllBytes(path, NpyWriter.Bytes<long>([3], [1, 2, 3])[..^1]);
        DataAssert.Throws(() => Labels.Read(path, 3), ErrorCodes.DataCorrupt, path, "'labels.npy' is damaged");
        var json = temp.File("labels.json");
        File.WriteAllText(json, "[1, 2]");
        DataAssert.Throws(() => Labels.Read(json, 2), ErrorCodes.DataFormatUnknown, json, "1-D .npy array of int64 or int32", ".csv of filename,class_index");
    }
}
