using Amct.Engine.Graph.Opset;

namespace Amct.Engine.Graph;

/// <summary>How to prepare a float model for quantization.</summary>
public sealed record GraphPreparationOptions
{
    public static GraphPreparationOptions Default { get; } = new();

    /// <summary>Fold BatchNormalization into the Conv/ConvTranspose before it (AMCT <c>do_fusion</c>, default on).</summary>
    public bool FoldBatchNormalization { get; init; } = true;

    /// <summary>Upgrade an opset-6..12 model to 13, keep its opset, or upgrade when possible (default).</summary>
    public OpsetPolicy Opset { get; init; } = OpsetPolicy.Auto;

    /// <summary>Convolution layers not to fold into (AMCT <c>skip_fusion_layers</c>), by node name after renaming.</summary>
    public IReadOnlySet<string> SkipFusionLayers { get; init; } = new HashSet<string>(StringComparer.Ordinal);
}
