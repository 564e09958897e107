using Amct.Engine.Graph.Opset;

namespace Amct.Engine.Graph;

/// <summary>What <see cref="GraphPreparation.Prepare"/> did, for the report.</summary>
/// <param name="RenamedNodes">Nodes that were unnamed or shared a name, with their new names.</param>
/// <param name="UpgradedFromOpset">The ai.onnx opset the model was upgraded from to 13, or null if it was not.</param>
/// <param name="FoldedBatchNormalizations">Convolution + BatchNormalization pairs folded, in graph order.</param>
/// <param name="RemovedNodes">Nodes removed because nothing read their outputs.</param>
/// <param name="RemovedInitializers">Initializers removed because nothing read them.</param>
public sealed record GraphPreparationResult(
    IReadOnlyList<NodeRename> RenamedNodes,
    long? UpgradedFromOpset,
    IReadOnlyList<FoldedBatchNormalization> FoldedBatchNormalizations,
    IReadOnlyList<string> RemovedNodes,
    IReadOnlyList<string> RemovedInitializers)
{
    public int RenamedNodeCount => RenamedNodes.Count;

    /// <summary>Initializers an IR &lt; 4 model also listed as graph inputs, no longer listed.</summary>
    public IReadOnlyList<string> UnlistedInitializerInputs { get; init; } = [];

    /// <summary>Constant-node values that became initializers.</summary>
    public IReadOnlyList<string> ConstantsMadeInitializers { get; init; } = [];

    /// <summary>Reshape/Flatten/Identity nodes of initializers folded into new initializers.</summary>
    public IReadOnlyList<string> FoldedConstantReshapes { get; init; } = [];

    /// <summary>Whether the opset was upgraded or kept (and why).</summary>
    public OpsetOutcome Opset { get; init; } = new(null, null, null);
}
