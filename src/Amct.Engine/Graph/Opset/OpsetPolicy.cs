namespace Amct.Engine.Graph.Opset;

/// <summary>What to do with a model written for an ai.onnx opset before 13.</summary>
public enum OpsetPolicy
{
    /// <summary>Upgrade to 13 (per-channel weights); where the upgrade is impossible and the model's opset has
    /// QuantizeLinear (10 or later), keep its opset and quantize per tensor instead.</summary>
    Auto,

    /// <summary>Always upgrade to 13; a model that cannot be upgraded is refused (the behaviour before Auto).</summary>
    Upgrade,

    /// <summary>Never upgrade: keep the model's opset (10 or later) and quantize per tensor below 13.</summary>
    Keep,
}
