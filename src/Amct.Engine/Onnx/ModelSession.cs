using System.Text.RegularExpressions;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace Amct.Engine.Onnx;

/// <summary>Whose model a session runs, which decides who is at fault when ONNX Runtime refuses it.</summary>
public enum ModelOrigin
{
    /// <summary>The user's model (or one derived from it by preparation): a refusal is the model's problem.</summary>
    User,

    /// <summary>The int8 model amct built from a model ONNX Runtime accepted: a refusal is a bug in amct.</summary>
    Quantized,
}

/// <summary>
/// The one place the engine creates ONNX Runtime sessions. ONNX Runtime checks far more than the loader does (operator
/// schemas, attribute values, graph topology), so a refusal is expected for hostile or damaged models and becomes a
/// coded error that quotes ONNX Runtime's reason and names the node. A model held in memory is handed over as bytes,
/// except when it would not fit in one protobuf message (2 GB): then it is saved with external data in a temporary
/// folder that lives as long as the session.
/// </summary>
public sealed partial class ModelSession : IDisposable
{
    private readonly SessionOptions _options;
    private readonly string? _temporaryFolder;

    private ModelSession(InferenceSession session, SessionOptions options, string? temporaryFolder)
    {
        Session = session;
        _options = options;
        _temporaryFolder = temporaryFolder;
    }

    public InferenceSession Session { get; }

    /// <summary>The folder holding the model's temporary copy, when it was too large to hand over as bytes.</summary>
    internal string? TemporaryFolder => _temporaryFolder;

    /// <summary>A session on a model file (its external data is read by ONNX Runtime from beside it).</summary>
    public static ModelSession Open(string path, ModelOrigin origin)
    {
        var options = SessionFactory.CreateOptions();
        return Create(() => new InferenceSession(path, options), options, null, path, origin);
    }

    /// <summary>
    /// A session on a model file with graph optimizations off: every node runs as written. For a QDQ model that is its
    /// fake quantization, the reference a QAT import is compared with (ONNX Runtime's fusions may refuse the export).
    /// </summary>
    public static ModelSession OpenUnoptimized(string path, ModelOrigin origin)
    {
        var options = SessionFactory.CreateOptions();
        options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL;
        return Create(() => new InferenceSession(path, options), options, null, path, origin);
    }

    /// <summary>A session on a model held in memory; <paramref name="source"/> is the file to name in errors.</summary>
    public static ModelSession Open(ModelProto model, string source, ModelOrigin origin) =>
        Open(model, source, origin, new ModelSaveOptions().InlineLimitBytes);

    /// <param name="model">The model.</param>
    /// <param name="source">The file to name in errors.</param>
    /// <param name="origin">Whose model it is.</param>
    /// <param name="inlineLimitBytes">Largest model handed over as bytes (tests lower it to exercise the file path).</param>
    internal static ModelSession Open(ModelProto model, string source, ModelOrigin origin, long inlineLimitBytes) =>
        Open(model, source, origin, inlineLimitBytes, SessionFactory.CreateOptions());

    /// <summary>
    /// A session on a model held in memory running on <paramref name="intraOpThreads"/> threads: figures that must be the
    /// same from run to run (a parallel reduction may add in another order on more threads).
    /// </summary>
    internal static ModelSession OpenWithThreads(ModelProto model, string source, ModelOrigin origin, int intraOpThreads) =>
        Open(model, source, origin, new ModelSaveOptions().InlineLimitBytes, SessionFactory.CreateOptions(intraOpThreads));

    /// <summary>
    /// A session for timing a model held in memory: <paramref name="intraOpThreads"/> threads, and when
    /// <paramref name="optimizedModelPath"/> is given, the graph ONNX Runtime runs (after its optimizer) written there.
    /// </summary>
    internal static ModelSession OpenForTiming(ModelProto model, string source, ModelOrigin origin, int intraOpThreads,
        string? optimizedModelPath)
    {
        var options = SessionFactory.CreateTimingOptions(intraOpThreads);
        if (optimizedModelPath is not null)
        {
            options.OptimizedModelFilePath = optimizedModelPath;
        }
        return Open(model, source, origin, new ModelSaveOptions().InlineLimitBytes, options);
    }

    private static ModelSession Open(ModelProto model, string source, ModelOrigin origin, long inlineLimitBytes,
        SessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (ModelSaver.EstimatedInlineSize(model) <= inlineLimitBytes)
        {
            var bytes = model.ToByteArray();
            return Create(() => new InferenceSession(bytes, options), options, null, source, origin);
        }
        var folder = Path.Combine(Path.GetTempPath(), "amct-session-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(folder);
            var path = Path.Combine(folder, "model.onnx");
            ModelSaver.Save(model, path, new ModelSaveOptions { ExternalData = ExternalDataMode.Always });
            return Create(() => new InferenceSession(path, options), options, folder, source, origin);
        }
        catch
        {
            DeleteFolder(folder);
            throw;
        }
    }

    /// <summary>
    /// Checks that ONNX Runtime loads the user's model file, before the planner and the quantizer read the model: they
    /// trust what ONNX Runtime checks (operator arity, attribute values, graph topology), so a model it refuses stops
    /// here with its reason instead of failing somewhere inside them. The file (already checked by the loader) is
    /// handed over by path, so a model over 2 GB is read from its external data, not copied; graph optimizations are
    /// off, as the check needs the model resolved and its kernels found, not optimized.
    /// </summary>
    public static void Check(string path)
    {
        var options = SessionFactory.CreateOptions();
        options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL;
        using var session = Create(() => new InferenceSession(path, options), options, null, path, ModelOrigin.User);
    }

    private static ModelSession Create(Func<InferenceSession> create, SessionOptions options, string? temporaryFolder,
        string source, ModelOrigin origin)
    {
        try
        {
            return new ModelSession(create(), options, temporaryFolder);
        }
        catch (OnnxRuntimeException e)
        {
            options.Dispose();
            if (temporaryFolder is not null)
            {
                DeleteFolder(temporaryFolder);
            }
            throw Refused(e, source, origin);
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }

    /// <summary>The coded error for ONNX Runtime refusing a model: its reason, and the node when it names one.</summary>
    internal static AmctException Refused(OnnxRuntimeException e, string source, ModelOrigin origin)
    {
        var reason = ReasonOf(e.Message);
        var node = NodeOf(reason);
        var at = node is null ? "" : $" at node '{node}'";
        return origin == ModelOrigin.User
            ? new AmctException(ErrorCodes.ModelRejectedByRuntime, source,
                $"ONNX Runtime refuses the model{at}: {reason}. The model is damaged or uses operators, attributes or " +
                "an opset ONNX Runtime does not support; check it with onnx.checker.check_model and re-export it.", e)
            : new AmctException(ErrorCodes.QuantizedModelRejected, source,
                $"ONNX Runtime refuses the int8 model amct built from this model{at}: {reason}. This is a bug in amct; " +
                "please report it with the model. Meanwhile skip that layer (--skip-layers) or quantize without it.", e);
    }

    /// <summary>ONNX Runtime's message without its "[ErrorCode:…]" prefix and source location.</summary>
    private static string ReasonOf(string message)
    {
        var reason = SourceLocation().Replace(ErrorCodePrefix().Replace(message, ""), "").Trim();
        return reason.TrimEnd('.');
    }

    /// <summary>
    /// ONNX Runtime names a node as <c>In Node, ("name", …</c>, <c>Node (name)</c>, <c>in node (name)</c> or
    /// <c>node name: …</c>, depending on the check that failed.
    /// </summary>
    private static string? NodeOf(string reason)
    {
        var match = NodeName().Match(reason);
        return match.Success && match.Groups["name"].Value.Length > 0 ? match.Groups["name"].Value : null;
    }

    [GeneratedRegex(@"^\[ErrorCode:[^\]]*\]\s*")]
    private static partial Regex ErrorCodePrefix();

    /// <summary>Some checks prefix the C++ file, line and function that raised them: noise for a user.</summary>
    [GeneratedRegex(@"^\S+\.(?:cc|h|cpp):\d+ .*?\)\s+(?=[A-Z])")]
    private static partial Regex SourceLocation();

    [GeneratedRegex(@"(?:In Node, \(""(?<name>[^""]*)""|[Nn]ode ?\((?<name>[^)]*)\)|[Nn]ode name:? '?(?<name>[^'\s,]+))")]
    private static partial Regex NodeName();

    public void Dispose()
    {
        Session.Dispose();
        _options.Dispose();
        if (_temporaryFolder is not null)
        {
            DeleteFolder(_temporaryFolder);
        }
    }

    /// <summary>Deletes a temporary folder, best effort (also the latency meter's).</summary>
    internal static void DeleteFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (IOException)
        {
            // Best effort: a leftover folder in the temporary folder holds nothing a user relies on.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
