using Amct.Engine.Data;

namespace Amct.Bench;

/// <summary>
/// The models every range method is measured on (issue 17, item 8: defaults chosen across many models, not one): the
/// three dev models and four published models of ../shared/models-real on realistic inputs.
/// </summary>
internal static class MethodCases
{
    public static IEnumerable<DefaultsStudy.Case> All(string scratch)
    {
        var digits = Path.Combine(BenchModel.SharedData, "digits-cnn");
        var (calib, testX, testY) = (Path.Combine(digits, "calib.npy"), Path.Combine(digits, "test_x.npy"), Path.Combine(digits, "test_y.npy"));
        yield return new("digits-cnn (calibrate on 200, evaluate on 497)", Path.Combine(digits, "model.onnx"), calib, testX, testY);
        var split = ImagenetSplit.Create(scratch);
        yield return new("SqueezeNet 1.1 (imagenet-dev: calibrate on 100 photos, evaluate on the other 200, imagenet-caffe)",
            Path.Combine(BenchModel.SharedData, "squeezenet/squeezenet1.1.onnx"), split.Calibration, split.Evaluation, split.Labels,
            r => r with { DataOptions = new SampleSourceOptions { Preset = "imagenet-caffe" } });
        var iris = IrisSplit.Create(scratch);
        yield return new("iris-mlp (small classifier, 3 Gemm: calibrate on 50 rows, evaluate on the other 100)",
            Path.Combine(BenchModel.SharedData, "iris-mlp/iris_mlp.onnx"), iris.Calibration, iris.Evaluation, iris.Labels,
            // Its int8 file is larger than the float one (4 KB: the quantize nodes outweigh the weights saved), which the
            // quality floor refuses; the study measures accuracy, so it is told to accept that.
            r => r with { QualityFloor = false });
        var real = Path.GetFullPath(Path.Combine(BenchModel.SharedData, "..", "models-real"));
        yield return new("models-real dwres_float (PyTorch export, depthwise + residual; digits: calibrate on 200, evaluate on 497)",
            Path.Combine(real, "qdq/dwres_float.onnx"), calib, testX, testY);
        var audio = WakeWordInputs.Audio(scratch);
        yield return new("models-real openWakeWord melspectrogram (speech-like audio, 18 clips of 1.28 s each way)",
            Path.Combine(WakeWordInputs.Models, "melspectrogram.onnx"), audio.Calibration, audio.Evaluation, null);
        var windows = WakeWordInputs.MelWindows(scratch);
        yield return new("models-real openWakeWord embedding_model (mel windows of that audio)",
            Path.Combine(WakeWordInputs.Models, "embedding_model.onnx"), windows.Calibration, windows.Evaluation, null);
        var embeddings = WakeWordInputs.Embeddings(scratch);
        yield return new("models-real openWakeWord hey_jarvis (16 embeddings of that audio per sample; Gemm/MatMul classifier)",
            Path.Combine(WakeWordInputs.Models, "hey_jarvis_v0.1.onnx"), embeddings.Calibration, embeddings.Evaluation, null);
    }
}
