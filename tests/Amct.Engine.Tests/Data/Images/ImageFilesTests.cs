using Amct.Engine.Data;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Data.Images;

/// <summary>Which images a path holds, their order and names, and that they are decoded only as they are read.</summary>
[TestClass]
public sealed class ImageFilesTests
{
    private static TempFolder Tree()
    {
        var temp = new TempFolder();
        Directory.CreateDirectory(temp.File("a"));
        Directory.CreateDirectory(temp.File("b"));
        byte value = 0;
        foreach (var name in new[] { "a/2.png", "a/10.PNG", "b/1.jpg", "root.bmp" })
        {
            var pixel = value++;
            if (name.EndsWith(".bmp", StringComparison.Ordinal))
            {
                ImageWriter.Bmp(temp.File(name), 4, 4, ImageWriter.Solid(pixel, pixel, pixel));
            }
            else if (name.EndsWith(".jpg", StringComparison.Ordinal))
            {
                ImageWriter.Jpeg(temp.File(name), 4, 4, ImageWriter.Solid(pixel, pixel, pixel));
            }
            else
            {
                ImageWriter.Png(temp.File(name), 4, 4, ImageWriter.Solid(pixel, pixel, pixel));
            }
        }
        File.WriteAllText(temp.File("labels.csv"), "not an image");
        File.WriteAllText(temp.File("a/readme.txt"), "not an image");
        return temp;
    }

    private static List<string?> Names(string path)
    {
        using var source = SampleSources.Open(path, [ImageData.Nchw(3, 4, 4)]);
        var fromSamples = source.Read().Select(s => s.Name).ToList();
        CollectionAssert.AreEqual(fromSamples, source.ReadNames().ToList());
        return fromSamples;
    }

    [TestMethod]
    public void A_folder_gives_its_images_and_sub_folders_in_ordinal_order_of_their_relative_paths()
    {
        using var temp = Tree();
        CollectionAssert.AreEqual(new[] { "a/10.PNG", "a/2.png", "b/1.jpg", "root.bmp" }, Names(temp.Path));
    }

    [TestMethod]
    public void Patterns_select_files_ignoring_case()
    {
        using var temp = Tree();
        CollectionAssert.AreEqual(new[] { "10.PNG", "2.png" }, Names(temp.File("a/*.png")));
        CollectionAssert.AreEqual(new[] { "a/10.PNG", "a/2.png" }, Names(temp.File("**/*.png")));
        CollectionAssert.AreEqual(new[] { "a/2.png", "b/1.jpg" }, Names(temp.File("?/?.*")));
        CollectionAssert.AreEqual(new[] { "a/10.PNG", "a/2.png", "b/1.jpg", "root.bmp" }, Names(temp.File("**/*")));
        CollectionAssert.AreEqual(new[] { "root.bmp" }, Names(temp.File("root.bmp")));
    }

    [TestMethod]
    public void A_pattern_that_matches_nothing_is_AMCT3001()
    {
        using var temp = Tree();
        var pattern = Path.GetFullPath(temp.File("*.webp"));
        DataAssert.Throws(() => SampleSources.Open(pattern, [ImageData.Nchw(3, 4, 4)]), ErrorCodes.DataNotFound, pattern,
            "the pattern matches no data file");
        var missingFolder = Path.GetFullPath(temp.File("nowhere/*.png"));
        DataAssert.Throws(() => SampleSources.Open(missingFolder, [ImageData.Nchw(3, 4, 4)]), ErrorCodes.DataNotFound, missingFolder);
    }

    [TestMethod]
    public void Images_are_decoded_one_at_a_time_as_they_are_read()
    {
        using var temp = Tree();
        using var source = SampleSources.Open(temp.Path, [ImageData.Nchw(3, 4, 4)]);
        using var samples = source.Read().GetEnumerator();
        Assert.IsTrue(samples.MoveNext());
        Assert.AreEqual("a/10.PNG", samples.Current.Name);
        // Damage the last image after the first was read: only reading it fails.
        File.WriteAllBytes(temp.File("root.bmp"), File.ReadAllBytes(temp.File("root.bmp"))[..60]);
        Assert.IsTrue(samples.MoveNext());
        Assert.IsTrue(samples.MoveNext());
        Assert.AreEqual(2L, samples.Current.Index);
        DataAssert.Throws(() => samples.MoveNext(), ErrorCodes.ImageCorrupt, temp.File("root.bmp"), "BMP");
    }

    [TestMethod]
    public void Images_for_a_model_with_several_inputs_need_input_names()
    {
        using var temp = Tree();
        DataAssert.Throws(() => SampleSources.Open(temp.Path, [ImageData.Nchw(3, 4, 4), DataAssert.Float("mask", null, 2)]),
            ErrorCodes.DataNeedsInputNames, temp.Path, "images feed one input, but the model has 2", "name=path;name=path");
    }
}
