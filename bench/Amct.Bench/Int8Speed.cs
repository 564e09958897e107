using System.Diagnostics;
using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Microsoft.ML.OnnxRuntime;

namespace Amct.Bench;

/// <summary>
/// int8 ÷ float: single-sample inference latency in ONNX Runtime with full optimizations (the fused int8 kernels) at
/// 1 and 2 intra-op threads, and file size. Latency is the median of 200 runs after 20 warm-up runs, the two models
/// measured in alternating blocks so machine noise hits both alike.
/// </summary>
internal static class Int8Speed
{
    public static void Run(BenchModel model, string scratch, TextWriter output)
    {
        var result = QuantizationJob.Run(new QuantizeRequest
        {
            ModelPath = model.ModelPath,
            CalibrationData = model.DataPath,
            OutputDirectory = scratch,
        }, new CollectingLog());
        var size = (double)new FileInfo(result.QuantizedModel).Length / new FileInfo(model.ModelPath).Length;
        output.WriteLine($"### int8 vs float: {model.Name}");
        output.WriteLine($"file size int8/float: {size:0.000}");
        output.WriteLine("| threads | float ms | int8 ms | int8/float |");
        output.WriteLine("|---|---|---|---|");
        var sample = SampleInput(model);
        foreach (var threads in new[] { 1, 2 })
        {
            using var floatSession = Session(model.ModelPath, threads);
            using var int8Session = Session(result.QuantizedModel, threads);
            var floatTimes = new List<double>();
            var int8Times = new List<double>();
            for (var block = 0; block < 10; block++)
            {
                floatTimes.AddRange(Latencies(floatSession, sample, block == 0 ? 20 : 0, 20));
                int8Times.AddRange(Latencies(int8Session, sample, block == 0 ? 20 : 0, 20));
            }
            var f = CalibrationCost.Median(floatTimes);
            var q = CalibrationCost.Median(int8Times);
            output.WriteLine($"| {threads} | {f:0.000} | {q:0.000} | {q / f:0.00} |");
        }
        output.WriteLine();
    }

    private static InferenceSession Session(string path, int threads)
    {
        using var options = SessionFactory.CreateTimingOptions(threads);
        return new InferenceSession(path, options);
    }

    private static TensorProto SampleInput(BenchModel model)
    {
        var input = model.Inputs[0];
        var dims = input.Shape.Select(d => d ?? 1).ToArray();
        var count = dims.Aggregate(1L, (a, b) => a * b);
        return TensorData.FromArray<float>(input.Name, dims, Enumerable.Range(0, (int)count).Select(i => (i % 255) - 120f).ToArray());
    }

    private static List<double> Latencies(InferenceSession session, TensorProto input, int warmup, int runs)
    {
        using var value = OrtTensors.ToOrtValue(input);
        using var runOptions = new RunOptions();
        var times = new List<double>();
        for (var i = 0; i < warmup + runs; i++)
        {
            var watch = Stopwatch.StartNew();
            using (session.Run(runOptions, [input.Name], [value], session.OutputNames))
            {
            }
            if (i >= warmup)
            {
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
        }
        return times;
    }
}
