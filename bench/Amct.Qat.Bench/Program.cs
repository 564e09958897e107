using System.Diagnostics;
using System.Globalization;
using Amct.Engine.Pipeline;
using Amct.Engine.Retraining;
using Amct.Qat.Native;
using Amct.Qat.Training;

// `modes …`: one retraining mode on one model (ModeRun). Otherwise:
// QAT step time ÷ float step time, measured in one run: the engine calibrates, then instead of retraining this
// retrainer alternates rounds of float steps (quantizers off) and quantization-aware steps on the same batches.
if (args.Length > 0 && args[0] == "modes")
{
    ModeRun.Run(args[1..]);
    return;
}
var root = FindRepositoryRoot();
var model = args.Length > 0 ? args[0] : Path.Combine(root, "samples", "DigitsClassifier", "Models", "digits-cnn.onnx");
var data = args.Length > 1 ? args[1] : Path.Combine(root, "samples", "DigitsClassifier", "Data", "calib.npy");
var steps = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 40;
var output = Directory.CreateTempSubdirectory("amct-qat-bench").FullName;
try
{
    var timer = new StepTimer(steps);
    QuantizationJob.Run(new QuantizeRequest
    {
        ModelPath = model,
        CalibrationData = data,
        OutputDirectory = output,
        SkipEvaluation = true,
        MeasureLatency = false,
        Retrain = RetrainMode.Distill,
        BatchSize = 8,
    }, new CollectingLog(), timer);
    Console.WriteLine($"{Path.GetFileName(model)}: batch 8, {steps} steps each, 1 thread: float step {timer.FloatMs:0.0} ms, " +
        $"QAT step {timer.QatMs:0.0} ms, QAT/float {timer.QatMs / timer.FloatMs:0.00}");
}
finally
{
    Directory.Delete(output, recursive: true);
}

static string FindRepositoryRoot()
{
    var dir = AppContext.BaseDirectory;
    while (!File.Exists(Path.Combine(dir, "Amct.Build.sln")))
    {
        dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("run from inside the repository");
    }
    return dir;
}

/// <summary>Times float and quantization-aware steps in alternating rounds (so load changes hit both alike).</summary>
internal sealed class StepTimer(int steps) : IRetrainer
{
    public double FloatMs { get; private set; }
    public double QatMs { get; private set; }

    public RetrainResult Retrain(RetrainInput input)
    {
        TorchRuntime.EnsureLoaded(1);
        using var session = new DistillSession(input);
        var (floatTime, qatTime) = (TimeSpan.Zero, TimeSpan.Zero);
        for (var round = -1; round < steps / 10; round++) // round -1 warms up
        {
            foreach (var quantized in new[] { false, true })
            {
                session.Quantizers.Enabled = quantized;
                var watch = Stopwatch.StartNew();
                for (var i = 0; i < 10; i++)
                {
                    session.Step(i % session.BatchCount);
                }
                if (round >= 0)
                {
                    (floatTime, qatTime) = quantized ? (floatTime, qatTime + watch.Elapsed) : (floatTime + watch.Elapsed, qatTime);
                }
            }
        }
        FloatMs = floatTime.TotalMilliseconds / (steps / 10 * 10);
        QatMs = qatTime.TotalMilliseconds / (steps / 10 * 10);
        return new RetrainResult(input.Factors, input.Weights, [], steps, 0, (floatTime + qatTime).TotalSeconds);
    }
}
