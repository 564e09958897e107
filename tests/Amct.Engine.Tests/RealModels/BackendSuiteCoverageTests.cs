using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Amct.Engine.Pipeline;
using Amct.Engine.Tests.Conformance;
using Amct.TestSupport;
using Microsoft.ML.OnnxRuntime;

namespace Amct.Engine.Tests.RealModels;

/// <summary>
/// Coverage measured, not assumed: every model of the ONNX backend test suite (libonnx-testdata) goes through the
/// quantization job, calibrated on its own test_data_set_* inputs, and lands in one of four outcomes: quantized and
/// loadable by ONNX Runtime, nothing to quantize (written unchanged), a coded refusal, or a crash. The counts are
/// printed. It fails on any crash (an exception other than AmctException, or AMCT5999), any int8 model ONNX Runtime
/// cannot load, and any refusal whose code is not in <see cref="ExpectedRefusals"/>. Opt-in (about 20 s on two
/// cores): <c>dotnet test tests/Amct.Engine.Tests --filter "TestCategory=RealModels"</c>.
/// </summary>
[TestClass]
public sealed class BackendSuiteCoverageTests
{
    /// <summary>
    /// The refusals a suite model may get, and why they are right: the suite's operator tests feed what a
    /// quantization tool cannot use as calibration data.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> ExpectedRefusals = new Dictionary<string, string>
    {
        [ErrorCodes.InputNotBatchable] = "a scalar or shapeless input, or inputs fixing different batch sizes: no batch axis to split samples along",
        [ErrorCodes.DataTypeMismatch] = "the test data's element type differs from the declared input (the suite stores some inputs loosely)",
        [ErrorCodes.DataShapeMismatch] = "the test data's shape does not fit the declared input",
        [ErrorCodes.CalibrationRunFailed] = "ONNX Runtime cannot run the float model on its own test data",
        [ErrorCodes.ModelRejectedByRuntime] = "ONNX Runtime cannot load the float model itself (training ops, types or layouts it has no kernel " +
            "for; the Conformance suite counts the same models as not runnable), or a QAT export it refuses",
        [ErrorCodes.ActivationNotFinite] = "the operator test produces NaN or Inf on purpose",
        [ErrorCodes.OpsetTooOld] = "opset before 6 (the suite's opset-1 operator tests)",
        [ErrorCodes.OperatorNotUpgradable] = "an old-opset operator with no opset-13 equivalent",
        [ErrorCodes.OperatorUsageNotUpgradable] = "an old-opset operator used in a way opset 13 cannot express",
        [ErrorCodes.QatImportUnsupported] = "a QuantizeLinear/DequantizeLinear operator test: an integer graph input or output, which the QAT " +
            "import of a QDQ model cannot turn into int8 kernels",
    };

    [TestMethod]
    [TestCategory(TestCategories.OptIn)]
    [TestCategory(TestCategories.RealModels)]
    public void Every_backend_suite_model_quantizes_or_is_refused_with_a_documented_code()
    {
        Assert.IsTrue(Directory.Exists(BackendSuiteTests.SuiteRoot),
            $"The ONNX backend test suite is not installed at {BackendSuiteTests.SuiteRoot}: sudo apt-get install libonnx-testdata");
        var folders = Directory.EnumerateDirectories(BackendSuiteTests.SuiteRoot)
            .SelectMany(Directory.EnumerateDirectories)
            .Where(f => File.Exists(Path.Combine(f, "model.onnx")) && Directory.EnumerateDirectories(f, "test_data_set_*").Any())
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.IsGreaterThan(1000, folders.Count);

        var watch = Stopwatch.StartNew();
        var outcomes = new ConcurrentBag<Outcome>();
        using var temp = new TempFolder();
        Parallel.ForEach(folders, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, folder =>
        {
            var name = Path.GetRelativePath(BackendSuiteTests.SuiteRoot, folder);
            outcomes.Add(Quantize(name, Path.Combine(folder, "model.onnx"), folder, Path.Combine(temp.Path, name.Replace('/', '_'))));
        });

        var all = outcomes.OrderBy(o => o.Model, StringComparer.Ordinal).ToList();
        Console.WriteLine(Summary(all, watch.Elapsed));
        var problems = all.Where(o => o.Kind is OutcomeKind.Crash or OutcomeKind.Unloadable
            || (o.Kind == OutcomeKind.Refused && !ExpectedRefusals.ContainsKey(o.Code!))).ToList();
        Assert.IsEmpty(problems, "Problems:\n" + string.Join("\n", problems.Select(p => $"{p.Model}: {p.Kind} {p.Code} {p.Detail}")));
    }

    internal enum OutcomeKind { Quantized, NothingToQuantize, Refused, Unloadable, Crash }

    internal sealed record Outcome(string Model, OutcomeKind Kind, string? Code = null, string? Detail = null, int Layers = 0);

    /// <summary>Runs the job on one model and classifies what happened.</summary>
    internal static Outcome Quantize(string name, string modelPath, string calibrationData, string outputDirectory)
    {
        var log = new CollectingLog();
        QuantizeResult result;
        try
        {
            result = QuantizationJob.Run(new QuantizeRequest
            {
                ModelPath = modelPath,
                CalibrationData = calibrationData,
                OutputDirectory = outputDirectory,
                SkipEvaluation = true,
                // The operator tests are tiny: Q/DQ nodes outweigh their few weights (AMCT4013). What is counted here is
                // whether the graph quantizes, not whether shipping it pays.
                QualityFloor = false,
            }, log);
        }
        catch (AmctException e) when (e.Code != ErrorCodes.InternalError)
        {
            return new Outcome(name, OutcomeKind.Refused, e.Code, e.Message);
        }
#pragma warning disable CA1031 // A crash of any kind is what this test counts.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return new Outcome(name, OutcomeKind.Crash, e.GetType().Name, e.Message);
        }
        if (log.Warnings.Any(w => w.Code == ErrorCodes.NothingToQuantize))
        {
            return new Outcome(name, OutcomeKind.NothingToQuantize);
        }
        try
        {
            using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
            using var session = new InferenceSession(result.QuantizedModel, options);
        }
        catch (OnnxRuntimeException e)
        {
            return new Outcome(name, OutcomeKind.Unloadable, null, e.Message);
        }
        return new Outcome(name, OutcomeKind.Quantized, Layers: result.Report.Layers.Count);
    }

    internal static string Summary(IReadOnlyList<Outcome> outcomes, TimeSpan elapsed)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Quantization coverage, {outcomes.Count} models, {elapsed.TotalSeconds:0} s:").AppendLine();
        foreach (var kind in Enum.GetValues<OutcomeKind>())
        {
            var of = outcomes.Where(o => o.Kind == kind).ToList();
            var layers = kind == OutcomeKind.Quantized ? $" ({of.Sum(o => o.Layers)} int8 layers)" : "";
            text.Append(CultureInfo.InvariantCulture, $"  {kind}: {of.Count}{layers}").AppendLine();
            foreach (var code in of.Where(o => o.Code is not null).GroupBy(o => o.Code).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                text.Append(CultureInfo.InvariantCulture, $"    {code.Key}: {code.Count()} (e.g. {code.First().Model})").AppendLine();
            }
            // Upgrade refusals name an operator: list them, they are what a converter could still be written for.
            foreach (var refusal in of.Where(o => o.Code is ErrorCodes.OperatorNotUpgradable or ErrorCodes.OperatorUsageNotUpgradable))
            {
                text.Append(CultureInfo.InvariantCulture, $"      {refusal.Model}: {refusal.Detail}").AppendLine();
            }
        }
        return text.ToString();
    }
}
