namespace Amct.Build.Tasks;

/// <summary>An error the task reports: its code, the file it belongs to and the message.</summary>
internal sealed class Diagnostic
{
    public Diagnostic(string code, string file, string message)
    {
        Code = code;
        File = file;
        Message = message;
    }

    public string Code { get; }
    public string File { get; }
    public string Message { get; }

    public override string ToString() => File + ": error " + Code + ": " + Message;
}
