namespace Amct.Cli.Tests.Fuzz;

/// <summary>
/// One hostile run: the files to lay out in a fresh folder (name → bytes), an optional step that makes special files
/// (FIFOs, links), and the amct arguments, in which <c>{dir}</c> stands for that folder. Outputs go to
/// <c>{dir}/out</c>; nothing may appear anywhere else.
/// </summary>
internal sealed record FuzzCase(string Class, string Name, IReadOnlyDictionary<string, byte[]> Files, string[] Args)
{
    public Action<string>? Setup { get; init; }

    /// <summary>Runs in a real amct process (slower) rather than through the CLI's entry point in this process.</summary>
    public bool InProcess { get; init; } = true;

    /// <summary>A file in the output folder the run writes whatever happens (job mode's result file), or null.</summary>
    public string? ResultFile { get; init; }
}
