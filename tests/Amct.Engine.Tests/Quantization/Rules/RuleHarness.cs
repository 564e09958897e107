using Amct.Engine.Onnx;
using Amct.Engine.Quantization;
using Amct.Engine.Tests.Graph;
using Amct.Engine.Tests.Pipeline;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Quantization.Rules;

/// <summary>What a rule test looks at: the plan, the QDQ model, the ops ONNX Runtime runs, and how close it stays to float.</summary>
internal sealed record QuantizedGraph(QuantizationPlan Plan, ModelProto Model, IReadOnlyDictionary<string, int> FusedOps, double OutputSqnrDb)
{
    public int Fused(string opType) => FusedOps.GetValueOrDefault(opType);

    /// <summary>The fused op counts as one line, for assertion messages.</summary>
    public string Summary => string.Join(", ", FusedOps.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {o.Value}"));

    /// <summary>
    /// The op runs as ONNX Runtime's int8 kernel <paramref name="int8Op"/>, no float <paramref name="floatOp"/> is
    /// left, and the output stays within 30 dB SQNR of the float model's (int8 noise on smooth test data is far below).
    /// </summary>
    public void AssertRunsAs(string int8Op, string floatOp)
    {
        Assert.AreEqual(1, Fused(int8Op), Summary);
        Assert.IsFalse(FusedOps.ContainsKey(floatOp), $"a float {floatOp} is left: {Summary}");
        Assert.IsGreaterThan(30.0, OutputSqnrDb);
    }

    /// <summary>The group of tensors that share factors with this one.</summary>
    public IReadOnlyList<string> GroupOf(string tensor) => Plan.Groups.Single(g => g.Contains(tensor));
}

/// <summary>
/// Quantizes a small graph built in code the way the job does — Gemm scale folding, plan, factors, weights, QDQ
/// model — with min/max factors observed on one deterministic input, then asks ONNX Runtime what it fuses the model
/// into and compares the int8 model's first output with the float one's (both run with full optimizations).
/// </summary>
internal static class RuleHarness
{
    public static QuantizedGraph Quantize(ModelProto model, PlanOptions? options = null, bool signedActivations = false)
    {
        var prepared = model.Clone();
        GemmScaling.Fold(prepared.Graph, "test");
        var plan = PlanBuilder.Plan(prepared.Graph, options ?? new PlanOptions());
        var inputs = Inputs(prepared);
        var parameters = MinMaxFactors(prepared, plan, inputs, (options ?? new PlanOptions()).Activation);
        var weights = LayerWeights.Quantize(prepared.Graph, plan, "test");
        var quantized = QdqModelBuilder.Build(prepared, plan, parameters, weights, "test", signedActivations);

        using var temp = new TempFolder();
        var path = temp.File("quantized.onnx");
        ModelBuilder.Write(quantized, path);
        var expected = TensorData.ToArray<float>(OrtRunner.Run(prepared, optimized: true, inputs)[0]);
        var actual = TensorData.ToArray<float>(OrtRunner.Run(quantized, optimized: true, inputs)[0]);
        var noise = expected.Zip(actual, (e, a) => (double)(e - a) * (e - a)).Sum();
        var signal = expected.Sum(e => (double)e * e);
        return new QuantizedGraph(plan, quantized, FusedGraph.OpCounts(path), Sqnr.Db(signal, noise));
    }

    /// <summary>One sample per float graph input, from its declared shape: a smooth signed pattern, the same every run.</summary>
    private static TensorProto[] Inputs(ModelProto model)
    {
        var initializers = model.Graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        return model.Graph.Input.Where(i => !initializers.Contains(i.Name)).Select((input, k) =>
        {
            var dims = input.Type.TensorType.Shape.Dim.Select(d => d.DimValue).ToArray();
            var count = dims.Aggregate(1L, (a, b) => a * b);
            var values = Enumerable.Range(0, (int)count).Select(i => (float)(2 * Math.Sin(0.7 * i + k))).ToArray();
            return TensorData.FromArray<float>(input.Name, dims, values);
        }).ToArray();
    }

    /// <summary>Factors from the observed min/max of each group's tensors (the group's union, as calibration does).</summary>
    private static Dictionary<string, ActivationParams> MinMaxFactors(ModelProto model, QuantizationPlan plan, TensorProto[] inputs,
        ActivationMode mode)
    {
        var probe = model.Clone();
        probe.Graph.Output.Clear();
        foreach (var tensor in plan.QuantizedTensors)
        {
            probe.Graph.Output.Add(new ValueInfoProto
            {
                Name = tensor,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = DataTypes.Float } },
            });
        }
        var values = plan.QuantizedTensors.Count == 0 ? [] : OrtRunner.Run(probe, inputs);
        var ranges = values.ToDictionary(v => v.Name, v =>
        {
            var data = TensorData.ToArray<float>(v);
            return (Min: (double)data.Min(), Max: (double)data.Max());
        }, StringComparer.Ordinal);
        var result = new Dictionary<string, ActivationParams>(StringComparer.Ordinal);
        foreach (var group in plan.Groups)
        {
            var factors = ActivationParams.FromRange(group.Min(t => ranges[t].Min), group.Max(t => ranges[t].Max), mode);
            foreach (var tensor in group)
            {
                result[tensor] = factors;
            }
        }
        return result;
    }
}
