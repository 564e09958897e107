using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amct.Engine.Formats;
using Amct.Engine.IO;
using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Google.Protobuf;

namespace Amct.Engine.Latency;

/// <summary>
/// Remembers the speed search's choice per machine, so that the same inputs give the same bytes on it: the choice
/// rests on timings, and a ratio near the rule's threshold can go either way between two runs. The key is the int8
/// model the search starts from (so the float model, the calibration and every setting that shapes it), the rule, the
/// timing threads and the machine (<see cref="MachineIdentity"/>); the value is the search's report. A remembered
/// choice is used only while it still passes the accuracy gate. The folder is the user's cache, not obj/, so a clean
/// build or a fresh clone on the same machine ships the same model; delete it (or set the variable to <c>off</c>) to time
/// again. A memo that cannot be read or written is never an error: the search just runs.
/// </summary>
public sealed class SpeedChoiceMemo(string folder)
{
    /// <summary>Moves the memo folder; <c>off</c> turns remembering off.</summary>
    public const string FolderVariable = "AMCT_SPEED_CACHE";

    // Part of every key: a memo written by an older layout of this file is never read.
    private const string Format = "amct-speed-choice/1";

    public string Folder { get; } = folder;

    /// <summary>AMCT_SPEED_CACHE, else the user cache's <c>speed-choice</c> folder; null when the variable is <c>off</c>.</summary>
    public static string? DefaultFolder() =>
        Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } set
            ? string.Equals(set, "off", StringComparison.OrdinalIgnoreCase) ? null : set
            : Path.Combine(UserCache.Root(), "speed-choice");

    /// <summary>The memo file of one search: a hash of what decides its outcome.</summary>
    internal string PathFor(ModelProto start, SpeedRule rule, int threads, string machine)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var part in new[] { Format, rule.Describe(), rule.Mode.ToString(), threads.ToString(System.Globalization.CultureInfo.InvariantCulture), machine })
        {
            hash.AppendData(Encoding.UTF8.GetBytes(part + "\n"));
        }
        hash.AppendData(start.ToByteArray());
        return Path.Combine(Folder, Convert.ToHexString(hash.GetHashAndReset()) + ".json");
    }

    /// <summary>The remembered choice, or null when there is none or it cannot be read (said in the log).</summary>
    internal static SpeedChoiceReport? Read(string path, IJobLog log)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<SpeedChoiceReport>(File.ReadAllBytes(path), QuantReport.JsonOptions);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            log.Info($"speed: the remembered choice '{path}' cannot be read ({e.Message}); timing again");
            return null;
        }
    }

    /// <summary>Stores a choice atomically (a concurrent build reads the old file or the whole new one).</summary>
    internal static void Write(string path, SpeedChoiceReport choice, IJobLog log)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(choice with { RememberedIn = null }, QuantReport.JsonOptions));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.Info($"speed: the choice cannot be remembered in '{path}' ({e.Message}); the next build times again");
        }
    }
}
