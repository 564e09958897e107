using System.Text;
using Amct.Engine.IO;

namespace Amct.Engine.Data.LabelFiles;

/// <summary>A CSV row: its fields and the line it starts on (1-based), for messages.</summary>
internal sealed record CsvRow(int Line, IReadOnlyList<string> Fields);

/// <summary>
/// Reads CSV as RFC 4180 writes it (and Python's csv module, Excel, pandas): comma-separated fields, fields in double
/// quotes may hold commas, quotes ("" for one) and line breaks; LF or CRLF line ends; a UTF-8 byte order mark is
/// skipped. Blank lines are skipped.
/// </summary>
internal static class CsvTable
{
    public static IReadOnlyList<CsvRow> Read(string path)
    {
        string text;
        try
        {
            text = UserFile.ReadAllText(path, Encoding.UTF8); // skips a byte order mark
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DataErrors.Unreadable(path, e);
        }
        return Parse(text, path);
    }

    public static IReadOnlyList<CsvRow> Parse(string text, string path)
    {
        var rows = new List<CsvRow>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var rowLine = 1;
        var quoted = false;
        var fieldStarted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    line += c == '\n' ? 1 : 0;
                    field.Append(c);
                }
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    fieldStarted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldStarted = true;
                    break;
                case '\r' when i + 1 < text.Length && text[i + 1] == '\n':
                    break; // the \n ends the row
                case '\n' or '\r':
                    EndRow();
                    line++;
                    rowLine = line;
                    break;
                default:
                    field.Append(c);
                    fieldStarted = true;
                    break;
            }
        }
        if (quoted)
        {
            throw new AmctException(ErrorCodes.LabelsInvalid, path,
                $"the quoted field that starts on line {rowLine} is never closed. Close it with a double quote (\").");
        }
        EndRow();
        return rows;

        void EndRow()
        {
            if (fieldStarted || field.Length > 0 || fields.Count > 0)
            {
                fields.Add(field.ToString());
                rows.Add(new CsvRow(rowLine, fields.ToList()));
            }
            fields.Clear();
            field.Clear();
            fieldStarted = false;
        }
    }
}
