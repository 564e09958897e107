using Amct.Engine.Data;
using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Amct.Engine.Tests.Graph;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Data;

/// <summary>
/// The carried recurrent state is computed once per data set and reused by every pass over it (calibration, the
/// range and bias measurements, evaluation, layer errors), within a memory budget past which it is recomputed.
/// </summary>
[TestClass]
public sealed class CarriedStateCacheTests
{
    private const int CalibrationSamples = 24;
    private const int EvaluationSamples = 16;

    /// <summary>
    /// A job over the accumulating stream model with separate calibration and evaluation data: the float model is stepped
    /// once per sample of each data set, however many passes the job makes (it makes calibration, evaluation and the layer
    /// errors' passes here), and the outputs are those of a job recomputing the states on every pass.
    /// </summary>
    [TestMethod]
    public void Each_samples_state_is_computed_once_per_data_set_and_the_outputs_are_the_same_as_recomputing_it()
    {
        using var temp = new TempFolder();
        var modelPath = WriteModel(temp);
        var calibration = WriteStream(temp, "calib.npy", CalibrationSamples, seed: 3);
        var evaluation = WriteStream(temp, "eval.npy", EvaluationSamples, seed: 4);

        var cached = Run(temp, modelPath, calibration, evaluation, "cached", CarriedStateCache.DefaultBudgetBytes);
        var recomputed = Run(temp, modelPath, calibration, evaluation, "recomputed", budgetBytes: 0);

        Assert.AreEqual(CalibrationSamples + EvaluationSamples, cached.Runs, "one float step per sample of each data set");
        Assert.IsGreaterThan(CalibrationSamples + EvaluationSamples, recomputed.Runs,
            "without storing the states every pass steps the float model again (else this test proves nothing)");
        CollectionAssert.AreEqual(File.ReadAllBytes(recomputed.Result.QuantizedModel), File.ReadAllBytes(cached.Result.QuantizedModel), "int8 model");
        CollectionAssert.AreEqual(File.ReadAllBytes(recomputed.Result.RecordFile), File.ReadAllBytes(cached.Result.RecordFile), "record");
        Assert.AreEqual(Evaluation(recomputed.Result), Evaluation(cached.Result), "evaluation");
    }

    [TestMethod]
    public void Past_its_budget_the_cache_keeps_a_prefix_and_recomputes_the_rest_to_the_same_states()
    {
        using var temp = new TempFolder();
        var modelPath = WriteModel(temp);
        var data = WriteStream(temp, "input.npy", CalibrationSamples, seed: 3);
        var feed = InputFeed.Plan(ModelLoader.Load(modelPath), new Dictionary<string, double> { ["sr"] = 16000 }, "InputValues");
        using var stepper = new FloatStateStepper(ModelLoader.Load(modelPath), modelPath, feed.States);
        var counting = new CountingStepper(stepper);
        var stateBytes = TensorData.FromArray<float>("h", [1, 4], new float[4]).CalculateSize();
        var cache = new CarriedStateCache(counting, budgetBytes: 10 * stateBytes);
        var options = SampleSourceOptions.Default with { FixedInputs = feed.Fixed, CarriedState = cache };

        List<float[]> States()
        {
            using var source = SampleSources.Open(data, feed.DataInputs, options);
            return source.Read().Select(s => TensorData.ToArray<float>(s.Inputs["h"])).ToList();
        }
        var first = States();
        var second = States();

        Assert.AreEqual(10 * stateBytes, cache.StoredBytes, "ten states fit the budget");
        Assert.AreEqual(CalibrationSamples + (CalibrationSamples - 10), counting.Runs, "the second pass recomputes only the states past the ten stored");
        for (var k = 0; k < CalibrationSamples; k++)
        {
            CollectionAssert.AreEqual(first[k], second[k], $"sample {k}'s state");
        }
    }

    private static string WriteModel(TempFolder temp)
    {
        var path = Path.Combine(temp.Path, "model.onnx");
        ModelBuilder.Write(InputFeedTests.AccumulatingModel(), path);
        return path;
    }

    /// <summary>A stream of <paramref name="samples"/> [1,4] inputs in [0, 1).</summary>
    private static string WriteStream(TempFolder temp, string name, int samples, int seed)
    {
        var path = Path.Combine(temp.Path, name);
        NpyWriter.Write<float>(path, [samples, 1, 4], TestTensors.Values(samples * 4, seed: seed, low: 0f, high: 1f));
        return path;
    }

    private static (QuantizeResult Result, int Runs) Run(TempFolder temp, string modelPath, string calibration, string evaluation,
        string name, long budgetBytes)
    {
        var counting = new CountStateSteps(budgetBytes);
        var result = QuantizationJob.Run(new QuantizeRequest
        {
            QualityFloor = false, // a synthetic model; the floor has its own tests
            MeasureLatency = false,
            ModelPath = modelPath,
            CalibrationData = calibration,
            EvaluationData = evaluation,
            OutputDirectory = Path.Combine(temp.Path, name),
            InputValues = new Dictionary<string, double> { ["sr"] = 16000 },
        }, new CollectingLog(), counting.In(QuantizationJob.Stages()));
        return (result, counting.Runs);
    }

    private static string Evaluation(QuantizeResult result) => string.Join("; ", result.Report.Evaluation!.Outputs.Select(o =>
        FormattableString.Invariant($"{o.Output} {o.CosineMean:R} {o.CosineWorst:R} {o.SqnrDb:R}")));
}
