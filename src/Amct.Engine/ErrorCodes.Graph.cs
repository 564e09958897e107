namespace Amct.Engine;

public static partial class ErrorCodes
{
    // 2100-2149: preparing the model graph for quantization (opset upgrade, Conv+BatchNormalization folding).

    /// <summary>The model's ai.onnx opset is older than 7, the oldest this version upgrades.</summary>
    public const string OpsetTooOld = "AMCT2100";

    /// <summary>An operator of an opset-7..12 model changed meaning before opset 13 and has no converter.</summary>
    public const string OperatorNotUpgradable = "AMCT2101";

    /// <summary>An operator has a converter, but not for the attribute values or inputs this node uses.</summary>
    public const string OperatorUsageNotUpgradable = "AMCT2102";

    /// <summary>The model uses ai.onnx operators but does not import the ai.onnx operator set.</summary>
    public const string DefaultOpsetMissing = "AMCT2103";

    /// <summary>A BatchNormalization's parameters do not match the channels of the convolution that feeds it.</summary>
    public const string BatchNormalizationMismatch = "AMCT2104";

    /// <summary>A layer listed in skip_fusion_layers is not a Conv or ConvTranspose node of the model.</summary>
    public const string SkipFusionLayerUnknown = "AMCT2105";

    /// <summary>The model keeps an opset before 10 (OpsetUpgrade=Keep), which has no QuantizeLinear/DequantizeLinear.</summary>
    public const string OpsetWithoutQdq = "AMCT2106";

    /// <summary>Warning: the model keeps its opset (10–12) instead of being upgraded to 13; weights are per tensor.</summary>
    public const string OpsetKept = "AMCT2107";

    /// <summary>A quantized (QDQ) model uses Q/DQ in a way the QAT import cannot turn into an int8 model.</summary>
    public const string QatImportUnsupported = "AMCT2108";

    /// <summary>QatImport is on, but the model holds no QuantizeLinear/DequantizeLinear pair to import.</summary>
    public const string QatImportNothingToImport = "AMCT2109";
}
