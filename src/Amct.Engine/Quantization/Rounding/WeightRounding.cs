namespace Amct.Engine.Quantization.Rounding;

/// <summary>How the int8 weight codes are chosen on the scales the weights stage set (WeightRounding setting).</summary>
public enum WeightRounding
{
    /// <summary>Each weight to its nearest step (ties to even).</summary>
    Nearest,

    /// <summary>One input column at a time, each rounding error compensated in the columns not yet rounded (<see cref="HessianRounding"/>).</summary>
    Hessian,
}
