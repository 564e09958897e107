using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Amct.Build.Tasks.Planning;

/// <summary>
/// The per-model up-to-date check, the same rule MSBuild applies to a target's Inputs and Outputs: stale when an
/// output is missing, an input is missing, or an input is newer than the oldest output. The quantize target's own
/// Inputs/Outputs skip the whole step when every model is current; this picks the models to redo when some are not.
/// </summary>
internal static class Staleness
{
    /// <returns>Why the model must be quantized, or null when it is up to date.</returns>
    public static string? Reason(ModelPlan plan)
    {
        var missingOutput = plan.OutputFiles.FirstOrDefault(f => !File.Exists(f));
        if (missingOutput is not null)
        {
            return $"{missingOutput} does not exist";
        }
        var oldestOutput = plan.OutputFiles.Min(File.GetLastWriteTimeUtc);
        foreach (var input in plan.InputFiles)
        {
            if (!File.Exists(input))
            {
                return $"input {input} does not exist";
            }
            if (File.GetLastWriteTimeUtc(input) > oldestOutput)
            {
                return $"{input} is newer than the outputs";
            }
        }
        return null;
    }

    public static IReadOnlyList<(ModelPlan Plan, string Reason)> StalePlans(IEnumerable<ModelPlan> plans) =>
        plans.Select(p => (Plan: p, Reason: Reason(p))).Where(p => p.Reason is not null).Select(p => (p.Plan, p.Reason!)).ToList();
}
