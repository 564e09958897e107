namespace Amct.Build.Tasks;

/// <summary>
/// An error or warning the task reports: its code, the file it belongs to and the message; and what in that file it is
/// about (the AmctModel item, its metadata or an Amct* property), which <see cref="Settings.ProjectPositions"/> turns
/// into the line and column MSBuild shows.
/// </summary>
internal sealed class Diagnostic
{
    public Diagnostic(string code, string file, string message, string? item = null, string? metadata = null, string? property = null)
    {
        Code = code;
        File = file;
        Message = message;
        Item = item;
        Metadata = metadata;
        Property = property;
    }

    public string Code { get; }
    public string File { get; }
    public string Message { get; }

    /// <summary>The AmctModel item's spec (its Include as evaluated), when the problem is about one.</summary>
    public string? Item { get; }

    /// <summary>The item's metadata (a setting name) the problem is about; with no such metadata on the item, its property.</summary>
    public string? Metadata { get; }

    /// <summary>The property the problem is about (a misspelt Amct* property).</summary>
    public string? Property { get; }

    public override string ToString() => File + ": error " + Code + ": " + Message;
}
