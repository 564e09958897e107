using Amct.Engine.Data;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Data.Images;

/// <summary>Labels matched to images by name: CSV rows and class folders, and every way they can disagree.</summary>
[TestClass]
public sealed class ImageLabelsTests
{
    /// <summary>Images cat.png, dog.png, owl.png in a flat folder, opened as a source.</summary>
    private static ISampleSource Flat(TempFolder temp, params string[] names)
    {
        var folder = temp.File("images");
        Directory.CreateDirectory(folder);
        foreach (var name in names.Length > 0 ? names : ["cat.png", "dog.png", "owl.png"])
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(folder, name))!);
            ImageWriter.Png(Path.Combine(folder, name), 4, 4, ImageWriter.Solid(1, 2, 3));
        }
        return SampleSources.Open(folder, [ImageData.Nchw(3, 4, 4)]);
    }

    private static string Csv(TempFolder temp, string text)
    {
        var path = temp.File("labels.csv");
        File.WriteAllText(path, text);
        return path;
    }

    [TestMethod]
    public void Csv_rows_in_any_order_come_out_in_the_samples_order()
    {
        using var temp = new TempFolder();
        using var source = Flat(temp);
        // A header, extra columns, a quoted field holding commas, CRLF line ends, a blank line.
        var csv = Csv(temp, "filename,class_index,name\r\nowl.png,24,\"great grey owl, Strix nebulosa\"\r\n\r\ncat.png,281,tabby\r\ndog.png,207,\"golden \"\"retriever\"\"\"\r\n");
        CollectionAssert.AreEqual(new long[] { 281, 207, 24 }, Labels.Read(csv, source));
        // Without a header.
        csv = Csv(temp, "dog.png,1\nowl.png,2\ncat.png,0");
        CollectionAssert.AreEqual(new long[] { 0, 1, 2 }, Labels.Read(csv, source));
    }

    [TestMethod]
    public void Rows_may_give_the_file_name_the_relative_path_or_more_leading_folders()
    {
        using var temp = new TempFolder();
        using var source = Flat(temp, "n1/a.png", "n2/b.png", "n2/c.png");
        var csv = Csv(temp, "a.png,5\nn2/b.png,6\nimages\\n2\\c.png,7\n");
        CollectionAssert.AreEqual(new long[] { 5, 6, 7 }, Labels.Read(csv, source));
    }

    [TestMethod]
    public void An_image_without_a_row_is_AMCT3037()
    {
        using var temp = new TempFolder();
        using var source = Flat(temp);
        var csv = Csv(temp, "filename,class_index\ncat.png,0\n");
        DataAssert.Throws(() => Labels.Read(csv, source), ErrorCodes.LabelsMissingForSample, csv,
            "2 images have no label: 'dog.png', 'owl.png'", "Add a row filename,class_index");
    }

    [TestMethod]
    public void A_row_without_an_image_is_AMCT3038()
    {
        using var temp = new TempFolder();
        using var source = Flat(temp);
        var csv = Csv(temp, "cat.png,0\ndog.png,1\nowl.png,2\nbat.png,3\n");
        DataAssert.Throws(() => Labels.Read(csv, source), ErrorCodes.LabelsWithoutSample, csv,
            "1 label names no image of the data: 'bat.png' (line 4)");
    }

    [TestMethod]
    public void Two_rows_for_one_image_are_AMCT3039()
    {
        using var temp = new TempFolder();
        using var source = Flat(temp);
        var csv = Csv(temp, "filename,label\ncat.png,0\ndog.png,1\nowl.png,2\n./cat.png,0\n");
        DataAssert.Throws(() => Labels.Read(csv, source), ErrorCodes.LabelsDuplicate, csv,
            "lines 2 and 5 both label 'cat.png'");
    }

    [TestMethod]
    public void A_class_that_is_not_a_whole_number_is_AMCT3040()
    {
        using var temp = new TempFolder();
        using var source = Flat(temp);
        var csv = Csv(temp, "cat.png,0\ndog.png,1.5\nowl.png,2\n");
        DataAssert.Throws(() => Labels.Read(csv, source), ErrorCodes.LabelsNotInteger, csv,
            "line 2 gives the class '1.5' for 'dog.png', which is not a whole number");
        csv = Csv(temp, "filename,class\ncat.png,0\ndog.png,tabby\nowl.png,2\n");
        DataAssert.Throws(() => Labels.Read(csv, source), ErrorCodes.LabelsNotInteger, csv, "line 3", "'tabby'");
    }

    [TestMethod]
    public void Negative_classes_malformed_rows_and_open_quotes_are_coded_errors()
    {
        using var temp = new TempFolder();
        using var source = Flat(temp);
        var csv = Csv(temp, "cat.png,0\ndog.png,-1\nowl.png,2\n");
        DataAssert.Throws(() => Labels.Read(csv, source), ErrorCodes.LabelsNegative, csv, "the label of 'dog.png' is -1");
        csv = Csv(temp, "cat.png,0\ndog.png\nowl.png,2\n");
        DataAssert.Throws(() => Labels.Read(csv, source), ErrorCodes.LabelsInvalid, csv, "line 2 is not filename,class_index");
        csv = Csv(temp, "cat.png,0\n\"dog.png,1\nowl.png,2\n");
        DataAssert.Throws(() => Labels.Read(csv, source), ErrorCodes.LabelsInvalid, csv, "starts on line 2 is never closed");
    }

    [TestMethod]
    public void A_file_name_in_two_folders_needs_its_folder_AMCT3042()
    {
        using var temp = new TempFolder();
        using var source = Flat(temp, "x/same.png", "y/same.png");
        var csv = Csv(temp, "same.png,0\ny/same.png,1\n");
        DataAssert.Throws(() => Labels.Read(csv, source), ErrorCodes.LabelsAmbiguous, csv,
            "line 1 names 'same.png', and several images have that name: 'x/same.png', 'y/same.png'");
    }

    [TestMethod]
    public void Csv_labels_for_unnamed_array_samples_are_AMCT3041()
    {
        using var temp = new TempFolder();
        var data = temp.File("x.npy");
        NpyWriter.Write<float>(data, [2, 3], [1, 2, 3, 4, 5, 6]);
        using var source = SampleSources.Open(data, [DataAssert.Float("x", null, 3)]);
        var csv = Csv(temp, "a,0\nb,1\n");
        DataAssert.Throws(() => Labels.Read(csv, source), ErrorCodes.LabelsNeedNames, csv, "sample 0 of", "has no name");
        DataAssert.Throws(() => Labels.Read(csv, 2), ErrorCodes.LabelsNeedNames, csv, "only a sample count was given");
    }

    [TestMethod]
    public void Class_folders_are_labeled_through_the_class_list()
    {
        using var temp = new TempFolder();
        using var source = Flat(temp, "n02/b.png", "n00/a.png", "n02/c.png");
        var classes = temp.File("synset.txt");
        File.WriteAllText(classes, "n00 tench, Tinca tinca\nn01 goldfish\nn02 great white shark\n\n");
        CollectionAssert.AreEqual(new long[] { 0, 2, 2 }, Labels.Read(classes, source)); // order: n00/a, n02/b, n02/c
    }

    [TestMethod]
    public void Class_list_mismatches_are_coded_errors()
    {
        using var temp = new TempFolder();
        using var source = Flat(temp, "n00/a.png", "n09/b.png", "loose.png");
        var classes = temp.File("classes.txt");
        File.WriteAllText(classes, "n00\nn01\n");
        DataAssert.Throws(() => Labels.Read(classes, source), ErrorCodes.LabelsMissingForSample, classes,
            "2 images have no label: 'loose.png' (in no folder), 'n09/b.png' (folder 'n09')");
        File.WriteAllText(classes, "n00\nn01\nn00\n");
        DataAssert.Throws(() => Labels.Read(classes, source), ErrorCodes.LabelsDuplicate, classes,
            "lines 1 and 3 both name the class folder 'n00'");
        File.WriteAllText(classes, "n00\n\nn09\n");
        DataAssert.Throws(() => Labels.Read(classes, source), ErrorCodes.LabelsInvalid, classes, "line 2 is empty");
    }

    [TestMethod]
    [TestCategory(TestCategories.OptIn)]
    [TestCategory(TestCategories.SharedData)]
    public void The_imagenet_dev_labels_match_the_photos_by_file_name()
    {
        using var source = SampleSources.Open(SharedData.PathOf("imagenet-dev/images"), [ImageData.Nchw(3, 224, 224, "data_0")],
            new SampleSourceOptions { Preset = "imagenet-caffe" });
        var labels = Labels.Read(SharedData.PathOf("imagenet-dev/labels.csv"), source.ReadNames().ToList());
        Assert.HasCount(300, labels);
        CollectionAssert.AreEqual(new long[] { 0, 1, 2, 10 }, labels[..4]);
        Assert.AreEqual(300, labels.Distinct().Count()); // one photo per class
    }
}
