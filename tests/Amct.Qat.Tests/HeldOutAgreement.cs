using Amct.Engine.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Amct.Qat.Tests;

/// <summary>How often an int8 digits model picks the float model's class on the 497 held-out digits (ONNX Runtime).</summary>
internal static class HeldOutAgreement
{
    public static double Top1(string floatModel, string int8Model)
    {
        var batch = QatData.HeldOutBatch(ModelLoader.Load(floatModel));
        var input = new DenseTensor<float>(TensorData.ToArray<float>(batch), batch.Dims.Select(d => (int)d).ToArray());
        var expected = Classes(floatModel, input);
        var actual = Classes(int8Model, input);
        return (double)expected.Zip(actual).Count(p => p.First == p.Second) / expected.Length;
    }

    private static int[] Classes(string modelPath, DenseTensor<float> input)
    {
        using var session = new InferenceSession(modelPath);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(), input)]);
        var logits = results[0].AsTensor<float>();
        var classes = (int)logits.Dimensions[1];
        return Enumerable.Range(0, (int)logits.Dimensions[0]).Select(i => Enumerable.Range(0, classes).MaxBy(c => logits[i, c])).ToArray();
    }
}
