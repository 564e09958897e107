using Amct.Engine.Data;
using Amct.Engine.Onnx;
using Amct.Qat.Interpreter;
using Amct.Qat.Native;
using static TorchSharp.torch;

namespace Amct.Qat.Tests;

/// <summary>The committed digits CNN's samples as one batch, for torch and for ONNX Runtime.</summary>
internal static class QatData
{
    public static string HeldOut => TestSupport.TestData.PathOf("digits-cnn/test_x.npy");
    public static string HeldOutLabels => TestSupport.TestData.PathOf("digits-cnn/test_y.npy");

    public static TensorProto HeldOutBatch(ModelProto model) => AllSamples(model, HeldOut);

    /// <summary>Every sample of <paramref name="path"/> as one batch of the model's single input.</summary>
    public static TensorProto AllSamples(ModelProto model, string path)
    {
        var inputs = ModelInput.Of(model);
        using var source = SampleSources.Open(path, inputs, SampleSourceOptions.Default);
        return SampleBatches.Read(source, inputs, (int)source.Count, source.Count).Single().Inputs.Values.Single();
    }

    public static Tensor ToTorch(TensorProto proto)
    {
        TorchRuntime.EnsureLoaded(1);
        return TorchTensors.FromProto(proto, "test");
    }
}
