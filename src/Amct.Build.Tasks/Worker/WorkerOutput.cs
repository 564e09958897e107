using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace Amct.Build.Tasks.Worker;

/// <summary>A line the worker printed, classified.</summary>
internal sealed class WorkerLine
{
    public WorkerLine(string text, string? severity = null, string? file = null, string? code = null, string? message = null,
        int line = 0, int column = 0)
    {
        Text = text;
        Severity = severity;
        File = file;
        Code = code;
        Message = message;
        Line = line;
        Column = column;
    }

    public string Text { get; }

    /// <summary>"error", "warning", or null for a plain message.</summary>
    public string? Severity { get; }

    public string? File { get; }
    public string? Code { get; }
    public string? Message { get; }

    /// <summary>The 1-based line and column in <see cref="File"/> (MSBuild's <c>file(line,col)</c>); 0 when not given.</summary>
    public int Line { get; }

    public int Column { get; }
}

/// <summary>
/// Reads the worker's output: canonical <c>file: error AMCTnnnn: message</c> lines (and warnings) become build errors
/// at the file; the rest is log text. Keeps the last lines, so a crash can be reported with what it printed.
/// </summary>
internal sealed class WorkerOutput
{
    // The file part is matched lazily up to the first ": error AMCT" so Windows drive letters (C:\...) stay in it; a
    // position (line) or (line,col) right before that is MSBuild's and goes to the error's line and column fields.
    private static readonly Regex Canonical = new(
        @"^(?<file>.+?)(?:\((?<line>\d{1,9})(?:,(?<column>\d{1,9}))?\))?: (?<severity>error|warning) (?<code>AMCT\d{4}): (?<message>.*)$",
        RegexOptions.CultureInvariant | RegexOptions.Compiled);

    private readonly Queue<string> _last = new();
    private readonly int _keep;

    public WorkerOutput(int keepLastLines = 15) => _keep = keepLastLines;

    public int ErrorCount { get; private set; }

    /// <summary>The last lines the worker printed, oldest first.</summary>
    public IReadOnlyCollection<string> LastLines => _last;

    public WorkerLine Read(string line)
    {
        var text = line.TrimEnd('\r');
        if (text.Trim().Length > 0)
        {
            _last.Enqueue(text);
            while (_last.Count > _keep)
            {
                _last.Dequeue();
            }
        }
        var match = Canonical.Match(text);
        if (!match.Success)
        {
            return new WorkerLine(text);
        }
        var severity = match.Groups["severity"].Value;
        if (severity == "error")
        {
            ErrorCount++;
        }
        return new WorkerLine(text, severity, match.Groups["file"].Value.Trim(), match.Groups["code"].Value,
            match.Groups["message"].Value, Number(match.Groups["line"]), Number(match.Groups["column"]));
    }

    private static int Number(Group group) =>
        group.Success ? int.Parse(group.Value, System.Globalization.CultureInfo.InvariantCulture) : 0;

    public string LastLinesText => string.Join(Environment.NewLine, _last);
}
