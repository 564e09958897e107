using Amct.Engine.Onnx;
using Amct.Engine.Tests.RealModels;
using Microsoft.ML.OnnxRuntime;

namespace Amct.Bench;

/// <summary>
/// Realistic inputs for two published models of ../shared/models-real, made as openWakeWord's pipeline makes them:
/// speech-like 16 kHz audio (the generator the real-model tests use) cut into 1.28 s clips for the melspectrogram
/// model, and its float output scaled (x/10 + 2) and cut into 76-frame windows, 8 frames apart, for the embedding
/// model. Calibration and evaluation audio come from different seeds.
/// </summary>
internal static class WakeWordInputs
{
    private const int Clip = 20480;

    public static string Models { get; } = Path.GetFullPath(Path.Combine(BenchModel.SharedData, "..", "models-real", "openwakeword"));

    /// <summary>(calibration, evaluation) .npy files of audio clips [N, 20480].</summary>
    public static (string Calibration, string Evaluation) Audio(string scratch) =>
        (WriteClips(scratch, "mel-calib", 10), WriteClips(scratch, "mel-eval", 11));

    /// <summary>(calibration, evaluation) .npy files of mel windows [N, 76, 32, 1].</summary>
    public static (string Calibration, string Evaluation) MelWindows(string scratch) =>
        (WriteWindows(scratch, "emb-calib", 10), WriteWindows(scratch, "emb-eval", 11));

    private static List<float[]> Clips(int seed)
    {
        var audio = SpeechLikeAudio.Generate(24, seed).Samples;
        return Enumerable.Range(0, audio.Length / Clip).Select(i => audio.AsSpan(i * Clip, Clip).ToArray()).ToList();
    }

    private static string WriteClips(string scratch, string name, int seed)
    {
        var clips = Clips(seed);
        var path = Path.Combine(scratch, name + ".npy");
        Npy.WriteFloat32(path, [clips.Count, Clip], i => clips[i]);
        return path;
    }

    /// <summary>
    /// (calibration, evaluation) .npy files of hey_jarvis inputs [N, 16, 96]: the embedding model's outputs for those mel
    /// windows, 16 consecutive ones per sample, one sample every 4 windows (openWakeWord's classifier input).
    /// </summary>
    public static (string Calibration, string Evaluation) Embeddings(string scratch) =>
        (WriteEmbeddings(scratch, "jarvis-calib", 10), WriteEmbeddings(scratch, "jarvis-eval", 11));

    private static string WriteEmbeddings(string scratch, string name, int seed)
    {
        using var session = new InferenceSession(Path.Combine(Models, "embedding_model.onnx"), SessionFactory.CreateOptions());
        var embeddings = new List<float[]>();
        foreach (var window in Windows(seed))
        {
            using var input = OrtValue.CreateTensorValueFromMemory(window, [1, 76, 32, 1]);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, [session.InputNames[0]], [input], [session.OutputNames[0]]);
            embeddings.Add(outputs[0].GetTensorDataAsSpan<float>().ToArray());
        }
        var samples = Enumerable.Range(0, Math.Max(0, (embeddings.Count - 16) / 4 + 1))
            .Select(i => embeddings.Skip(i * 4).Take(16).SelectMany(e => e).ToArray()).ToList();
        var path = Path.Combine(scratch, name + ".npy");
        Npy.WriteFloat32(path, [samples.Count, 16, 96], i => samples[i]);
        return path;
    }

    private static string WriteWindows(string scratch, string name, int seed)
    {
        var windows = Windows(seed);
        var path = Path.Combine(scratch, name + ".npy");
        Npy.WriteFloat32(path, [windows.Count, 76, 32, 1], i => windows[i]);
        return path;
    }

    private static List<float[]> Windows(int seed)
    {
        using var session = new InferenceSession(Path.Combine(Models, "melspectrogram.onnx"), SessionFactory.CreateOptions());
        var windows = new List<float[]>();
        foreach (var clip in Clips(seed))
        {
            using var input = OrtValue.CreateTensorValueFromMemory(clip, [1, Clip]);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, ["input"], [input], ["output"]);
            var frames = (int)outputs[0].GetTensorTypeAndShape().Shape[2];
            var values = outputs[0].GetTensorDataAsSpan<float>().ToArray().Select(v => (v / 10f) + 2f).ToArray();
            for (var start = 0; start + 76 <= frames; start += 8)
            {
                windows.Add(values.AsSpan(start * 32, 76 * 32).ToArray());
            }
        }
        return windows;
    }
}
