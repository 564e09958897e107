using Amct.Engine.Onnx;
using Amct.TestSupport;
using Google.Protobuf;

namespace Amct.Engine.Tests.Onnx;

/// <summary>External data: resolved inside the model's folder only; every bad reference is a coded error.</summary>
[TestClass]
public sealed class ExternalDataTests
{
    private static readonly float[] Weights = Enumerable.Range(0, 12).Select(i => i * 0.5f).ToArray();

    [TestMethod]
    public void External_data_in_a_subfolder_is_loaded_into_the_tensor()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.File("weights"));
        var bytes = new byte[100].Concat(FloatBytes(Weights)).ToArray();
        File.WriteAllBytes(temp.File("weights/w.bin"), bytes);
        var path = WriteModelPointingAt(temp, "weights/w.bin", offset: 100, length: 48);

        var model = ModelLoader.Load(path);
        var w = model.Graph.Initializer.Single(t => t.Name == "W");
        CollectionAssert.AreEqual(Weights, TensorData.ToArray<float>(w));
        Assert.IsEmpty(w.ExternalData);
        Assert.AreEqual(TensorProto.Types.DataLocation.Default, w.DataLocation);
    }

    [TestMethod]
    public void Length_may_be_omitted_and_follows_from_the_dims()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("w.bin"), FloatBytes(Weights));
        var path = WriteModelPointingAt(temp, "w.bin", offset: null, length: null);
        CollectionAssert.AreEqual(Weights, TensorData.ToArray<float>(ModelLoader.Load(path).Graph.Initializer[0]));
    }

    [TestMethod]
    public void An_absolute_location_is_rejected()
    {
        using var temp = new TempFolder();
        var target = temp.File("w.bin");
        File.WriteAllBytes(target, FloatBytes(Weights));
        var path = WriteModelPointingAt(temp, target, 0, 48);
        ModelLoaderTests.AssertLoadFails(path, ErrorCodes.ExternalDataPathRejected, "absolute path");
    }

    [TestMethod]
    public void A_location_escaping_the_folder_with_dotdot_is_rejected()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.File("model"));
        File.WriteAllBytes(temp.File("secret.bin"), FloatBytes(Weights));
        var path = WriteModelPointingAt(temp, "../secret.bin", 0, 48, "model/m.onnx");
        ModelLoaderTests.AssertLoadFails(path, ErrorCodes.ExternalDataPathRejected, "'..'");
        var sneaky = WriteModelPointingAt(temp, "sub/../../secret.bin", 0, 48, "model/m2.onnx");
        ModelLoaderTests.AssertLoadFails(sneaky, ErrorCodes.ExternalDataPathRejected, "'..'");
    }

    [TestMethod]
    public void A_link_leading_out_of_the_folder_is_rejected()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.File("model"));
        Directory.CreateDirectory(temp.File("outside"));
        File.WriteAllBytes(temp.File("outside/secret.bin"), FloatBytes(Weights));
        File.CreateSymbolicLink(temp.File("model/w.bin"), temp.File("outside/secret.bin"));
        Directory.CreateSymbolicLink(temp.File("model/data"), temp.File("outside"));

        var viaFileLink = WriteModelPointingAt(temp, "w.bin", 0, 48, "model/a.onnx");
        ModelLoaderTests.AssertLoadFails(viaFileLink, ErrorCodes.ExternalDataPathRejected, "outside the model's folder");
        var viaFolderLink = WriteModelPointingAt(temp, "data/secret.bin", 0, 48, "model/b.onnx");
        ModelLoaderTests.AssertLoadFails(viaFolderLink, ErrorCodes.ExternalDataPathRejected, "outside the model's folder");
    }

    [TestMethod]
    public void A_link_staying_inside_the_folder_is_followed()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("real.bin"), FloatBytes(Weights));
        File.CreateSymbolicLink(temp.File("w.bin"), "real.bin");
        var path = WriteModelPointingAt(temp, "w.bin", 0, 48);
        CollectionAssert.AreEqual(Weights, TensorData.ToArray<float>(ModelLoader.Load(path).Graph.Initializer[0]));
    }

    [TestMethod]
    public void Data_past_the_end_of_the_file_is_AMCT2010()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("w.bin"), FloatBytes(Weights));
        var path = WriteModelPointingAt(temp, "w.bin", offset: 8, length: 48);
        ModelLoaderTests.AssertLoadFails(path, ErrorCodes.ExternalDataOutOfRange, "only 48 bytes long");
    }

    [TestMethod]
    public void A_missing_data_file_is_AMCT2009()
    {
        using var temp = new TempFolder();
        var path = WriteModelPointingAt(temp, "gone.bin", 0, 48);
        ModelLoaderTests.AssertLoadFails(path, ErrorCodes.ExternalDataMissing, "'gone.bin'");
    }

    [TestMethod]
    public void A_length_that_disagrees_with_the_dims_is_AMCT2007()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("w.bin"), new byte[1 << 20]);
        var path = WriteModelPointingAt(temp, "w.bin", 0, 1 << 20);
        ModelLoaderTests.AssertLoadFails(path, ErrorCodes.TensorDataMismatch, "need 48");
    }

    [TestMethod]
    public void Malformed_references_are_AMCT2011()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("w.bin"), FloatBytes(Weights));
        var negativeOffset = WriteModelPointingAt(temp, "w.bin", 0, 48, "neg.onnx", offsetText: "-4");
        ModelLoaderTests.AssertLoadFails(negativeOffset, ErrorCodes.ExternalDataMalformed, "\"offset\"");
        var noLocation = WriteModelPointingAt(temp, "", 0, 48, "noloc.onnx");
        ModelLoaderTests.AssertLoadFails(noLocation, ErrorCodes.ExternalDataMalformed, "no \"location\"");
    }

    private static string WriteModelPointingAt(TempFolder temp, string location, long? offset, long? length,
        string modelName = "m.onnx", string? offsetText = null)
    {
        var model = ModelBuilder.Gemm();
        var w = model.Graph.Initializer.Single(t => t.Name == "W");
        w.ClearRawData();
        w.DataLocation = TensorProto.Types.DataLocation.External;
        if (location.Length > 0)
        {
            w.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        }
        if (offsetText is not null || offset is not null)
        {
            w.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offsetText ?? offset!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }
        if (length is not null)
        {
            w.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }
        var path = temp.File(modelName);
        ModelBuilder.Write(model, path);
        return path;
    }

    private static byte[] FloatBytes(float[] values) => TensorData.FromArray<float>("x", [values.Length], values).RawData.ToByteArray();
}
