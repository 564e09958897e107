using Microsoft.ML.OnnxRuntime;

namespace Amct.Engine.Onnx;

/// <summary>
/// ONNX Runtime session settings used everywhere: full graph optimizations (the QDQ pairs fuse into int8 kernels, so
/// accuracy is measured on what users run) and quiet logging (errors surface as exceptions we translate).
/// </summary>
public static class SessionFactory
{
    /// <summary>
    /// ONNX Runtime's switch for whether its intra-op threads busy-wait for the next piece of work. They do by default,
    /// which buys an application's single runs a little latency; for our passes over calibration and evaluation data it
    /// costs: on a loaded build machine the spinning threads take the cores the work needs (a SqueezeNet job took 33.0 s
    /// spinning and 14.4 s without, at load 9–11). Turned off for every session but the timing ones, which measure the
    /// model as an application runs it. Results are the same either way: only how threads wait changes.
    /// </summary>
    public const string AllowSpinningKey = "session.intra_op.allow_spinning";

    /// <summary>A session for computing: calibration, probes, evaluation (intra-op threads do not spin).</summary>
    public static SessionOptions CreateOptions(int? intraOpThreads = null)
    {
        var options = CreateTimingOptions(intraOpThreads);
        options.AddSessionConfigEntry(AllowSpinningKey, "0");
        return options;
    }

    /// <summary>A session for timing: ONNX Runtime's defaults, as an application runs the model.</summary>
    public static SessionOptions CreateTimingOptions(int? intraOpThreads = null)
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
        };
        if (intraOpThreads is { } threads)
        {
            options.IntraOpNumThreads = threads;
        }
        return options;
    }
}
