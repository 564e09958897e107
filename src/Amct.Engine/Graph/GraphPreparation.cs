using Amct.Engine.Graph.Opset;
using Amct.Engine.Onnx;

namespace Amct.Engine.Graph;

/// <summary>
/// Prepares a float model for quantization, in memory (the caller loads and saves): (1) every node gets a unique
/// name, as AMCT keys layers by name; (2) an IR &lt; 4 model's initializers stop being listed as inputs; (3) an
/// opset-6..12 model is upgraded to opset 13, or keeps its opset as <see cref="GraphPreparationOptions.Opset"/> says; (4) float Constant-node tensors become initializers and constant
/// reshapes of initializers are folded, so every weight is an initializer; (5) BatchNormalization is folded into
/// the convolution before it; (6) nodes and initializers nothing reads are removed. Every step keeps
/// the model's outputs the same (up to float rounding of the folded weights) and is deterministic.
/// </summary>
public static class GraphPreparation
{
    /// <param name="model">The model, rewritten in place.</param>
    /// <param name="options">What to do.</param>
    /// <param name="source">The model file, named in errors.</param>
    public static GraphPreparationResult Prepare(ModelProto model, GraphPreparationOptions options, string source)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var graph = model.Graph ?? throw new AmctException(ErrorCodes.ModelNotOnnx, source,
            "the model has no graph. Re-export the model.");
        // Names first: the skip list and every later report refer to the final names.
        var renamed = UniqueNodeNames.Apply(graph);
        var unlisted = InitializerInputs.Apply(model);
        var opset = OpsetChoice.Apply(model, options.Opset, source);
        var constants = ConstantNodeInitializers.Apply(graph);
        var reshapes = ConstantReshapeFolding.Apply(graph, source);
        var folded = options.FoldBatchNormalization
            ? ConvBatchNormFolding.Apply(graph, options.SkipFusionLayers, source)
            : [];
        var removed = DeadNodeRemoval.Apply(graph);
        return new GraphPreparationResult(renamed, opset.UpgradedFrom, folded, removed.RemovedNodes, removed.RemovedInitializers)
        {
            UnlistedInitializerInputs = unlisted,
            ConstantsMadeInitializers = constants,
            FoldedConstantReshapes = reshapes,
            Opset = opset,
        };
    }
}
