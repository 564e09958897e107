using Amct.Engine.Onnx;

namespace Amct.Engine.Graph.Opset;

/// <summary>
/// Applies an <see cref="OpsetPolicy"/>: upgrades the model to opset 13 or keeps its own opset. QuantizeLinear and
/// DequantizeLinear exist from opset 10, per tensor only (their <c>axis</c>, which per-channel weights need, came with
/// 13), so a model kept at 10–12 is quantized per tensor and one kept below 10 cannot be quantized at all.
/// </summary>
public static class OpsetChoice
{
    /// <summary>The first ai.onnx opset with QuantizeLinear and DequantizeLinear.</summary>
    public const long FirstQdqOpset = 10;

    /// <summary>The first ai.onnx opset whose QuantizeLinear/DequantizeLinear take an axis (per-channel scales).</summary>
    public const long FirstPerChannelOpset = 13;

    /// <summary>Upgrades or keeps the model's opset, in place, as <paramref name="policy"/> says.</summary>
    /// <returns>What was done: the opset upgraded from, or the opset kept (below 13) and why.</returns>
    public static OpsetOutcome Apply(ModelProto model, OpsetPolicy policy, string source)
    {
        ArgumentNullException.ThrowIfNull(model);
        var opset = model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version;
        if (policy == OpsetPolicy.Keep && opset is { } own && own < OpsetUpgrade.TargetOpset)
        {
            RequireQdq(own, source, "the opset is kept as the settings ask (OpsetUpgrade=Keep)",
                "Set OpsetUpgrade to Auto or Upgrade (--opset-upgrade auto) so the model is upgraded");
            return new OpsetOutcome(null, own, "kept as the settings ask (OpsetUpgrade=Keep)");
        }
        try
        {
            return new OpsetOutcome(OpsetUpgrade.Apply(model, source), null, null);
        }
        catch (AmctException e) when (policy == OpsetPolicy.Auto && opset >= FirstQdqOpset
            && e.Code is ErrorCodes.OperatorNotUpgradable or ErrorCodes.OperatorUsageNotUpgradable)
        {
            // The upgrade leaves the model untouched when it refuses, so it can still be quantized as it is. Below
            // opset 10 there is no QuantizeLinear to quantize with: the upgrade's own error (naming the node) stands.
            return new OpsetOutcome(null, opset, e.Message);
        }
    }

    private static void RequireQdq(long opset, string source, string why, string whatToDo)
    {
        if (opset < FirstQdqOpset)
        {
            throw new AmctException(ErrorCodes.OpsetWithoutQdq, source,
                $"the model uses ai.onnx opset {opset}, which has no QuantizeLinear/DequantizeLinear (they came with " +
                $"opset {FirstQdqOpset}), and {why}. {whatToDo}.");
        }
    }
}

/// <summary>What <see cref="OpsetChoice.Apply"/> did.</summary>
/// <param name="UpgradedFrom">The opset the model was upgraded from to 13, or null.</param>
/// <param name="Kept">The opset (10–12) the model keeps instead of being upgraded, or null.</param>
/// <param name="KeptBecause">Why it keeps it, for the report and the warning.</param>
public sealed record OpsetOutcome(long? UpgradedFrom, long? Kept, string? KeptBecause)
{
    /// <summary>Whether weights may have per-channel scales: not in a model kept below opset 13.</summary>
    public bool PerChannelAllowed => Kept is null;
}
