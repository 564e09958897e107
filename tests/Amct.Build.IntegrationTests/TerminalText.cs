using System.Text.RegularExpressions;

namespace Amct.Build.IntegrationTests;

/// <summary>
/// What a terminal showed, as plain lines: the terminal logger's colours, cursor moves and hyperlinks (ANSI CSI and
/// OSC sequences) removed, and each carriage return (a live line redrawn in place) starting a line of its own, so every
/// state a status line went through can be searched.
/// </summary>
internal static partial class TerminalText
{
    public static string Plain(string captured)
    {
        var text = OperatingSystemCommand().Replace(captured, "");
        text = ControlSequence().Replace(text, "");
        var lines = text.Replace('\r', '\n').Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0);
        return string.Join('\n', lines) + "\n";
    }

    // OSC: ESC ] ... terminated by ESC \ or BEL (hyperlinks, the window title, the taskbar progress).
    [GeneratedRegex(@"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")]
    private static partial Regex OperatingSystemCommand();

    // CSI: ESC [ parameters final-byte (colours, cursor moves, erase); plus the keypad modes ESC = and ESC >.
    [GeneratedRegex(@"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[=>]")]
    private static partial Regex ControlSequence();
}
