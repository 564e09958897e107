namespace Amct.Engine;

public static partial class ErrorCodes
{
    // 40xx: the accuracy gate.
    public const string AccuracyBelowMinimum = "AMCT4001";
    public const string AccuracyDropTooLarge = "AMCT4002";
    public const string RelativeAccuracyDropTooLarge = "AMCT4003";
    public const string Top1AgreementTooLow = "AMCT4004";
    public const string CosineSimilarityTooLow = "AMCT4005";
    public const string SqnrTooLow = "AMCT4006";
    public const string CosineBelowAdvisory = "AMCT4010";
    public const string AccuracyNeedsLabels = "AMCT4011";

    // 4012-4014: the quality floor (checked without thresholds too, unless QualityFloor=false).
    public const string CosineBelowFloor = "AMCT4012";
    public const string Int8LargerThanFloat = "AMCT4013";
    public const string MostLayersKeptFloat = "AMCT4014";
    public const string FallbackExhausted = "AMCT4020";

    // 403x: latency (warnings).
    public const string Int8SlowerThanFloat = "AMCT4030";
}
