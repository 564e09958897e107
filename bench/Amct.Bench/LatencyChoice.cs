using System.Globalization;
using Amct.Engine;
using Amct.Engine.Latency;
using Amct.Engine.Pipeline;
using Amct.TestSupport;

namespace Amct.Bench;

/// <summary>
/// The latency-aware layer choice, before and after: each model quantized with OptimizeFor=Size (every layer int8,
/// the behaviour before the choice existed) and with the default Balanced, at 1 and 2 ONNX Runtime threads; the
/// int8/float latency is the engine's own figure for the model that ships (interleaved rounds, median of per-round
/// ratios), the size that of the files.
/// </summary>
internal static class LatencyChoice
{
    /// <summary>A model and the calibration data it is quantized with; <paramref name="Note"/> says where they come from.</summary>
    public sealed record Case(string Name, string ModelPath, string DataPath, string Note)
    {
        /// <summary>False for a net with deterministic random weights, whose outputs no quantizer keeps at cosine 0.9.</summary>
        public bool QualityFloor { get; init; } = true;
    }

    public static void Run(IReadOnlyList<Case> cases, string scratch, TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine("### Latency-aware layer choice: before (OptimizeFor=Size) and after (Balanced, the default)");
        output.WriteLine();
        output.WriteLine("| model | threads | size int8/float before → after | int8/float latency before → after | kept float for speed (measured gain) | after = before, byte for byte | AMCT4030 after |");
        output.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var model in cases)
        {
            foreach (var threads in new[] { 1, 2 })
            {
                var before = Quantize(model, OptimizeFor.Size, threads, scratch);
                var after = Quantize(model, OptimizeFor.Balanced, threads, scratch);
                if (before.Error is not null || after.Error is not null)
                {
                    output.WriteLine($"| {model.Name} | {threads} | – | – | not quantized: {before.Error ?? after.Error} | – | – |");
                    continue;
                }
                var kept = after.Result!.Report.SpeedChoice?.Groups.Where(g => g.KeptFloat)
                    .Select(g => string.Create(c, $"{g.Kind} ×{g.Layers.Count} ({g.Gain:P0})")).ToList() ?? [];
                output.WriteLine(string.Create(c,
                    $"| {model.Name} | {threads} | {before.Size:0.000} → {after.Size:0.000} | {Ratio(before)} → {Ratio(after)} | " +
                    $"{(kept.Count == 0 ? "none" : string.Join(", ", kept))} | {(SameBytes(before, after) ? "yes" : "no")} | {(after.Warned ? "yes" : "no")} |"));
            }
        }
        output.WriteLine();
        foreach (var model in cases)
        {
            output.WriteLine($"- {model.Name}: {model.Note}");
        }
        output.WriteLine();
    }

    private sealed record Outcome(QuantizeResult? Result, double Size, bool Warned, string? Error);

    private static bool SameBytes(Outcome before, Outcome after) =>
        File.ReadAllBytes(before.Result!.QuantizedModel).AsSpan().SequenceEqual(File.ReadAllBytes(after.Result!.QuantizedModel));

    private static string Ratio(Outcome outcome) =>
        outcome.Result!.Report.Latency is { } latency ? latency.Ratio.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "–";

    private static Outcome Quantize(Case model, OptimizeFor mode, int threads, string scratch)
    {
        var log = new CollectingLog();
        try
        {
            var result = QuantizationJob.Run(new QuantizeRequest
            {
                ModelPath = model.ModelPath,
                CalibrationData = model.DataPath,
                OutputDirectory = Path.Combine(scratch, "latency-choice", $"{model.Name}-{mode}-{threads}"),
                LatencyThreads = threads,
                OptimizeFor = mode,
                QualityFloor = model.QualityFloor,
            }, log);
            var size = (double)new FileInfo(result.QuantizedModel).Length / new FileInfo(model.ModelPath).Length;
            return new Outcome(result, size, log.Warnings.Any(w => w.Code == ErrorCodes.Int8SlowerThanFloat), null);
        }
        catch (AmctException e)
        {
            return new Outcome(null, 0, false, e.Code);
        }
    }

    /// <summary>
    /// The cases: digits-cnn and SqueezeNet (../shared/data), an UltraFace-style face-detector backbone built in code,
    /// and the float models of ../shared/models-real with deterministic inputs of the ranges their pipelines feed.
    /// </summary>
    public static IReadOnlyList<Case> Cases(string scratch)
    {
        var digits = BenchModel.Digits();
        var squeezenet = BenchModel.Squeezenet(16, scratch);
        var real = Path.GetFullPath(Path.Combine(BenchModel.SharedData, "..", "models-real"));
        var ultraFace = Path.Combine(scratch, "ultraface-style.onnx");
        ModelBuilder.Write(ConvNets.UltraFaceStyle(), ultraFace);
        ConvNets.WriteSamples(Path.Combine(scratch, "ultraface-style.npy"), 4, 240, 320);
        return
        [
            new(digits.Name, digits.ModelPath, digits.DataPath, "../shared/data/digits-cnn, its 200 calibration samples"),
            new(squeezenet.Name, squeezenet.ModelPath, squeezenet.DataPath, "../shared/data/squeezenet, 16 brightness-shifted copies of its test image"),
            new("ultraface-style", ultraFace, Path.Combine(scratch, "ultraface-style.npy"),
                "UltraFace version-slim-320's backbone built in code (ConvNets.UltraFaceStyle: 320×240, 12 depthwise-separable blocks, deterministic weights; the published detector is not in ../shared), 4 deterministic samples; quality floor off: random weights")
            {
                QualityFloor = false,
            },
            new("dwres_float", Path.Combine(real, "qdq/dwres_float.onnx"), digits.DataPath,
                "../shared/models-real/qdq: stem Conv, depthwise 3×3 + pointwise 1×1 with a residual Add, on 8×8 digits"),
            new("embedding_model", Path.Combine(real, "openwakeword/embedding_model.onnx"),
                Samples(scratch, "embedding", [8, 76, 32, 1], i => 2f + (float)Math.Sin(0.05 * i)),
                "../shared/models-real/openwakeword: speech-embedding CNN, 8 mel-like windows (values around 2 ± 1)"),
            new("hey_jarvis_v0.1", Path.Combine(real, "openwakeword/hey_jarvis_v0.1.onnx"),
                Samples(scratch, "jarvis", [8, 16, 96], i => (float)Math.Sin(0.3 * i)),
                "../shared/models-real/openwakeword: wake-word classifier, 8 embedding sequences (values in ±1)"),
            new("melspectrogram", Path.Combine(real, "openwakeword/melspectrogram.onnx"),
                Samples(scratch, "mel", [4, 20480], i => 0.1f * (float)Math.Sin(2 * Math.PI * 220 * i / 16000.0)),
                "../shared/models-real/openwakeword: audio → mel (STFT as Conv), 4 clips of 1.28 s of a 220 Hz tone"),
        ];
    }

    private static string Samples(string scratch, string name, long[] shape, Func<int, float> value)
    {
        var path = Path.Combine(scratch, name + ".npy");
        var count = (int)shape.Aggregate(1L, (a, b) => a * b);
        NpyWriter.Write(path, shape, Enumerable.Range(0, count).Select(value).ToArray().AsSpan());
        return path;
    }
}
