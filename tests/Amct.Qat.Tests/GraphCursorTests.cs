using Amct.Engine.Onnx;
using Amct.Qat.Interpreter;
using Amct.Qat.Native;
using Amct.Qat.Training;
using Amct.TestSupport;
using static TorchSharp.torch;

namespace Amct.Qat.Tests;

/// <summary>
/// The incremental walk AdaRound takes through the graph (<see cref="GraphCursor"/>), the regrouping of one-sample
/// batches (<see cref="TrainingBatches"/>) and the cap on what AdaRound caches (<see cref="LayerCacheBudget"/>), on the
/// committed digits CNN.
/// </summary>
[TestClass]
[TestCategory(TestCategories.OptIn)]
[TestCategory(TestCategories.Qat)]
public sealed class GraphCursorTests
{
    [TestInitialize]
    public void LoadLibTorch() => TorchRuntime.EnsureLoaded(1);

    [TestMethod]
    public void Stopping_at_each_layer_gives_the_inputs_a_full_run_gives_and_runs_every_node_once_per_batch()
    {
        var model = ModelLoader.Load(TestData.DigitsModel);
        using var graph = new OnnxGraph(model, TestData.DigitsModel);
        using var scope = NewDisposeScope();
        var batches = Batches(graph, TestData.DigitsCalibration, 4);
        var changed = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var walk = new CountingHooks(changed);
        using var cursor = new GraphCursor(graph, batches, walk);
        var layers = graph.Nodes.Select((n, i) => (n, i)).Where(p => p.n.OpType is "Conv" or "Gemm").ToList();

        foreach (var (node, index) in layers)
        {
            cursor.AdvanceTo(index);
            var inputs = cursor.NodeInputs(node.Input[1]);
            for (var b = 0; b < batches.Count; b++)
            {
                using var noGrad = no_grad();
                var full = graph.Run(batches[b], [node.Input[0]], new CountingHooks(changed))[0];
                Assert.IsTrue(Same(full, inputs[b][0]!), $"{node.Name}, batch {b}: the same input as a full run");
                Assert.IsNull(inputs[b][1], "the weight's slot is left out");
            }
            // As AdaRound rounds a layer before going on: the nodes after this stop must see the new weight.
            changed[node.Input[1]] = (graph.Constants[node.Input[1]] * 0.5).round() * 2;
        }
        cursor.AdvanceTo(graph.Nodes.Count);

        var produced = graph.Nodes.SelectMany(n => n.Output).ToList();
        Assert.IsGreaterThanOrEqualTo(4, layers.Count, "the digits CNN has convs and Gemms");
        foreach (var name in produced)
        {
            Assert.AreEqual(batches.Count, walk.Runs.GetValueOrDefault(name), $"'{name}' computed once per batch over the whole walk");
        }
    }

    [TestMethod]
    public void One_sample_batches_are_merged_into_batches_of_16_that_compute_the_same()
    {
        var model = ModelLoader.Load(TestData.DigitsModel);
        using var graph = new OnnxGraph(model, TestData.DigitsModel);
        using var scope = NewDisposeScope();
        var samples = QatData.ToTorch(QatData.AllSamples(model, TestData.DigitsCalibration)); // 200 samples
        var single = samples.split(1).Select(s => new Dictionary<string, Tensor>(StringComparer.Ordinal) { [graph.Inputs[0]] = s }).ToList();

        var merged = TrainingBatches.Merge(graph, single);

        CollectionAssert.AreEqual(Enumerable.Repeat(16L, 12).Append(8).ToList(), merged.Select(TrainingBatches.SizeOf).ToList());
        Assert.IsTrue(Same(cat(merged.Select(b => b[graph.Inputs[0]]).ToArray(), 0), samples), "the samples in order");
    }

    [TestMethod]
    public void A_graph_that_reshapes_to_a_batch_of_one_keeps_its_one_sample_batches()
    {
        var model = new ModelBuilder()
            .Input("x", DataTypes.Float, 1, 4).Output("y", DataTypes.Float, 1, 4)
            .Initializer(TensorData.FromArray<long>("shape", [2], [1, 4]))
            .Node("Reshape", ["x", "shape"], ["y"], "reshape")
            .Build();
        using var graph = new OnnxGraph(model, "model.onnx");
        using var scope = NewDisposeScope();
        var single = Enumerable.Range(0, 4).Select(i => new Dictionary<string, Tensor>(StringComparer.Ordinal) { ["x"] = full(1, 4, i) }).ToList();

        var result = TrainingBatches.Merge(graph, single);

        Assert.AreSame(single, result);
    }

    [TestMethod]
    public void The_cache_budget_keeps_as_many_batches_as_fit()
    {
        var model = ModelLoader.Load(TestData.DigitsModel);
        using var graph = new OnnxGraph(model, TestData.DigitsModel);
        using var scope = NewDisposeScope();
        var batches = Batches(graph, TestData.DigitsCalibration, 10); // 10 batches of 20
        var layers = graph.Nodes.Select((n, i) => (n, i)).Where(p => p.n.OpType is "Conv" or "Gemm").Select(p => p.i).ToList();
        var perSample = LayerCacheBudget.BytesPerSample(graph, batches[0], layers);

        Assert.IsGreaterThan(8 * 8 * 4, perSample, "at least the widest conv output of one 8×8 sample");
        Assert.AreEqual(10, LayerCacheBudget.Batches(graph, batches, layers));
        Assert.AreEqual(3, LayerCacheBudget.Batches(graph, batches, layers, budget: perSample * 60));
        Assert.AreEqual(2, LayerCacheBudget.Batches(graph, batches, layers, budget: (perSample * 60) - 1));
        Assert.AreEqual(1, LayerCacheBudget.Batches(graph, batches, layers, budget: 1), "one batch at least");
    }

    /// <summary>Bit for bit the same values in the same shape.</summary>
    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    /// <summary>The samples of <paramref name="path"/> in <paramref name="count"/> equal batches.</summary>
    private static List<Dictionary<string, Tensor>> Batches(OnnxGraph graph, string path, int count) =>
        QatData.ToTorch(QatData.AllSamples(ModelLoader.Load(TestData.DigitsModel), path)).chunk(count)
            .Select(c => new Dictionary<string, Tensor>(StringComparer.Ordinal) { [graph.Inputs[0]] = c }).ToList();

    /// <summary>Counts how often each value is computed; reads the weights in <paramref name="weights"/> in place of the model's.</summary>
    private sealed class CountingHooks(Dictionary<string, Tensor> weights) : IGraphHooks
    {
        public Dictionary<string, int> Runs { get; } = new(StringComparer.Ordinal);

        public Tensor Activation(string name, Tensor value)
        {
            Runs[name] = Runs.GetValueOrDefault(name) + 1;
            return value;
        }

        public Tensor Constant(string name, Tensor value) => weights.GetValueOrDefault(name) ?? value;
    }
}
