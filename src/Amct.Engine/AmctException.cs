namespace Amct.Engine;

/// <summary>
/// An error a user can act on: a stable code (AMCTnnnn, see <see cref="ErrorCodes"/>), the file, setting or layer it
/// concerns, and a message that says what is wrong and what to do. The CLI prints it in MSBuild's canonical form
/// (<c>target: error AMCT2003: message</c>), so inside a build it becomes a real error at the right place.
/// </summary>
public sealed class AmctException : Exception
{
    public AmctException(string code, string target, string message, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        Target = target;
    }

    /// <summary>The error code, e.g. <c>AMCT2003</c>.</summary>
    public string Code { get; }

    /// <summary>The file (path), setting or layer the error is about.</summary>
    public string Target { get; }

    /// <summary>The 1-based line in <see cref="Target"/> the error is at, when the file has lines and the reader knows it.</summary>
    public int? Line { get; init; }

    /// <summary>The 1-based column on <see cref="Line"/>, when known.</summary>
    public int? Column { get; init; }

    /// <summary>
    /// The error as one line in MSBuild's canonical error format: <c>target(line,col): error AMCTnnnn: message</c>, the
    /// position being what IDEs and CI logs jump to.
    /// </summary>
    public string ToCanonicalString() => $"{Target}{Position}: error {Code}: {Message}";

    /// <summary><c>(line,col)</c> or <c>(line)</c> to write after the target's path; empty when no line is known.</summary>
    public string Position => Line is not { } line ? "" : Column is { } column ? $"({line},{column})" : $"({line})";
}
