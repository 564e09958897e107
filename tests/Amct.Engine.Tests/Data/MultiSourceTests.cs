using Amct.Engine.Data;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Data;

/// <summary>Models with several inputs fed from one data path per input (name=path;name=path).</summary>
[TestClass]
public sealed class MultiSourceTests
{
    private static readonly ModelInput Image = Images.ImageData.Nchw(3, 4, 4);
    private static readonly ModelInput Mask = DataAssert.Float("mask", null, 2);

    private static string Images3(TempFolder temp)
    {
        var folder = temp.File("photos");
        Directory.CreateDirectory(folder);
        for (byte i = 0; i < 3; i++)
        {
            var value = (byte)(i * 10);
            ImageWriter.Png(Path.Combine(folder, $"{i}.png"), 4, 4, ImageWriter.Solid(value, value, value));
        }
        return folder;
    }

    [TestMethod]
    public void Images_and_arrays_feed_their_inputs_sample_by_sample()
    {
        using var temp = new TempFolder();
        var photos = Images3(temp);
        var masks = temp.File("mask.npy");
        NpyWriter.Write<float>(masks, [3, 2], [0, 1, 2, 3, 4, 5]);
        using var source = SampleSources.Open($"image={photos}; mask={masks}", [Image, Mask]);
        Assert.AreEqual(3, source.Count);
        var samples = source.Read().ToList();
        Assert.HasCount(3, samples);
        Assert.AreEqual("2.png", samples[2].Name); // named after the first input's sample, so labels match images
        Assert.AreEqual(20f, DataAssert.Floats(samples[2], "image")[0]);
        CollectionAssert.AreEqual(new float[] { 4, 5 }, DataAssert.Floats(samples[2], "mask"));
        CollectionAssert.AreEqual(new[] { "0.png", "1.png", "2.png" }, source.ReadNames().ToArray());
        // The dictionary overload does the same.
        using var same = SampleSources.Open(new Dictionary<string, string> { ["mask"] = masks, ["image"] = photos }, [Image, Mask],
            SampleSourceOptions.Default);
        Assert.AreEqual(3, same.Read().Count());
    }

    [TestMethod]
    public void Different_sample_counts_are_AMCT3009()
    {
        using var temp = new TempFolder();
        var photos = Images3(temp);
        var masks = temp.File("mask.npy");
        NpyWriter.Write<float>(masks, [2, 2], [0, 1, 2, 3]);
        DataAssert.Throws(() => SampleSources.Open($"image={photos};mask={masks}", [Image, Mask]), ErrorCodes.DataSampleCountMismatch,
            photos, "'image' 3 in", "'mask' 2 in");
    }

    [TestMethod]
    public void Unknown_and_missing_inputs_and_bad_lists_are_coded_errors()
    {
        using var temp = new TempFolder();
        var photos = Images3(temp);
        var masks = temp.File("mask.npy");
        NpyWriter.Write<float>(masks, [3, 2], [0, 1, 2, 3, 4, 5]);
        DataAssert.Throws(() => SampleSources.Open($"image={photos};masks={masks}", [Image, Mask]), ErrorCodes.DataUnknownInput,
            masks, "'masks'");
        DataAssert.Throws(() => SampleSources.Open($"image={photos}", [Image, Mask]), ErrorCodes.DataMissingInput, photos,
            "no data for input 'mask'");
        var error = Assert.ThrowsExactly<AmctException>(() => SampleSources.Open($"image={photos};image={masks}", [Image, Mask]));
        Assert.AreEqual(ErrorCodes.DataListInvalid, error.Code);
        StringAssert.Contains(error.Message, "input 'image' is given data twice");
        error = Assert.ThrowsExactly<AmctException>(() => SampleSources.Open($"image={photos};mask=", [Image, Mask]));
        Assert.AreEqual(ErrorCodes.DataListInvalid, error.Code);
    }

    [TestMethod]
    public void A_real_path_holding_an_equals_sign_is_a_path()
    {
        using var temp = new TempFolder();
        var folder = temp.File("run=1");
        Directory.CreateDirectory(folder);
        ImageWriter.Png(Path.Combine(folder, "a.png"), 4, 4, ImageWriter.Solid(1, 1, 1));
        using var source = SampleSources.Open(folder, [Image]);
        Assert.AreEqual(1, source.Count);
    }
}
