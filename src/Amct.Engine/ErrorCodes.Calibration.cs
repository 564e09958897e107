namespace Amct.Engine;

public static partial class ErrorCodes
{
    // 305x: calibration and quantization factors.
    public const string ActivationNotFinite = "AMCT3050";
    public const string CalibrationRunFailed = "AMCT3051";
    public const string BiasOverflow = "AMCT3052";
    public const string TooFewSamples = "AMCT3053";

    /// <summary>The model has no input to feed (none declared, or every one is an initializer): nothing to calibrate on.</summary>
    public const string ModelHasNoInputs = "AMCT3055";
}
