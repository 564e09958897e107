using Microsoft.ML.OnnxRuntime;

namespace Amct.Engine.Onnx;

/// <summary>
/// ONNX Runtime session settings used everywhere: full graph optimizations (the QDQ pairs fuse into int8 kernels, so
/// accuracy is measured on what users run) and quiet logging (errors surface as exceptions we translate).
/// </summary>
public static class SessionFactory
{
    public static SessionOptions CreateOptions(int? intraOpThreads = null)
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
