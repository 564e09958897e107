using System;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace Amct.Build.Tasks.Planning;

/// <summary>
/// A model's settings, the tool version and the list of its data files, as a file in obj/ that is rewritten only when
/// they change. It is an input of the quantize target, so changing a property or metadata re-quantizes exactly the
/// models it changes, a newer Amct.Build re-quantizes everything, and a file added to or removed from a calibration
/// folder counts as a change (time stamps alone would miss a removal); MSBuild's CoreCompileInputs.cache works alike.
/// </summary>
internal static class InputsCache
{
    public static string Content(ModelPlan plan, string toolVersion)
    {
        var settings = new StringBuilder()
            .Append("tool=").Append(toolVersion).Append('\n')
            .Append("model=").Append(plan.ModelPath).Append('\n')
            .Append("outputName=").Append(plan.OutputName).Append('\n')
            .Append(plan.Settings.CanonicalText())
            .Append(string.Concat(plan.DataFiles.Select(f => "data=" + f + "\n")))
            .ToString();
        return "# Amct.Build: the settings this model was last quantized with. Do not edit; the build rewrites it.\n" +
            "hash=" + Hash(settings) + "\n" + settings;
    }

    /// <returns>Whether the settings changed since the last build (the file was written).</returns>
    public static bool Write(ModelPlan plan, string toolVersion) =>
        FileContent.WriteIfChanged(plan.InputsCacheFile, Content(plan, toolVersion));

    private static string Hash(string text)
    {
        using var sha = SHA256.Create();
        return BitConverter.ToString(sha.ComputeHash(Encoding.UTF8.GetBytes(text))).Replace("-", "").ToLowerInvariant();
    }
}
