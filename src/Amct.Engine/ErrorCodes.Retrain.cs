namespace Amct.Engine;

public static partial class ErrorCodes
{
    // 60xx: quantization-aware retraining (the amct-qat worker of the Amct.Build.Qat package).

    /// <summary>Retrain asks for retraining but the worker is plain amct (the Amct.Build.Qat package is not referenced).</summary>
    public const string RetrainNeedsQatWorker = "AMCT6001";

    /// <summary>The model has an operator the retraining interpreter does not implement.</summary>
    public const string RetrainUnsupportedOp = "AMCT6002";

    /// <summary>libtorch or TorchSharp's native library is not where the worker looks (NuGet cache or AMCT_LIBTORCH_DIR).</summary>
    public const string LibTorchNotFound = "AMCT6003";

    /// <summary>libtorch was found but does not load on this machine or platform.</summary>
    public const string LibTorchLoadFailed = "AMCT6004";

    /// <summary>No libtorch package Amct.Build.Qat depends on serves this platform (runtime identifier).</summary>
    public const string RetrainUnsupportedPlatform = "AMCT6005";

    /// <summary>TrainingLabels are given but no model output is class scores ([batch, classes]) to score them against.</summary>
    public const string TrainingLabelsNeedClassScores = "AMCT6006";

    /// <summary>Warning: the retraining time budget ran out before a single training step (setup counts).</summary>
    public const string RetrainBudgetSpentOnSetup = "AMCT6008";
}
