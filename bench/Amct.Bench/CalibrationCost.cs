using System.Diagnostics;
using Amct.Engine.Calibration;
using Amct.Engine.Data;
using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Microsoft.ML.OnnxRuntime;

namespace Amct.Bench;

/// <summary>
/// Calibration wall time ÷ plain ONNX Runtime inference of the float model over the same samples (same batches, same
/// data reading), per range method. Each figure is the median of three interleaved runs.
/// </summary>
internal static class CalibrationCost
{
    public static void Run(BenchModel model, string scratch, TextWriter output)
    {
        output.WriteLine($"### Calibration cost: {model.Name}, {model.Samples} samples");
        output.WriteLine("| method | calibration s | plain inference s | ratio |");
        output.WriteLine("|---|---|---|---|");
        var times = RangeMethods.Names.ToDictionary(m => m, _ => new List<double>());
        var plain = new List<double>();
        for (var round = 0; round < 3; round++)
        {
            plain.Add(PlainInference(model));
            foreach (var method in RangeMethods.Names)
            {
                var report = QuantizationJob.Run(new QuantizeRequest
                {
                    ModelPath = model.ModelPath,
                    CalibrationData = model.DataPath,
                    OutputDirectory = scratch,
                    Method = method,
                }, new CollectingLog()).Report;
                times[method].Add(report.Timings.CalibrateSeconds);
            }
        }
        var plainSeconds = Median(plain);
        foreach (var method in RangeMethods.Names)
        {
            var seconds = Median(times[method]);
            output.WriteLine($"| {method} | {seconds:0.000} | {plainSeconds:0.000} | {seconds / plainSeconds:0.00}x |");
        }
        output.WriteLine();
    }

    /// <summary>The float model over the same batches, outputs only, as a user's inference loop would run it.</summary>
    private static double PlainInference(BenchModel model)
    {
        var watch = Stopwatch.StartNew();
        var inputs = model.Inputs;
        using var options = SessionFactory.CreateTimingOptions();
        using var session = new InferenceSession(model.ModelPath, options);
        using var runOptions = new RunOptions();
        using var source = SampleSources.Open(model.DataPath, inputs);
        var batchSize = SampleBatches.ChooseBatchSize(inputs);
        foreach (var batch in SampleBatches.Read(source, inputs, batchSize))
        {
            var names = batch.Inputs.Keys.ToList();
            var values = names.Select(n => OrtTensors.ToOrtValue(batch.Inputs[n])).ToList();
            using (session.Run(runOptions, names, values, session.OutputNames))
            {
            }
            values.ForEach(v => v.Dispose());
        }
        return watch.Elapsed.TotalSeconds;
    }

    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
