using System.Globalization;
using System.Text;
using Amct.Engine.IO;

namespace Amct.Engine.Formats;

/// <summary>
/// Writes an AMCT record file (<c>ScaleOffsetRecord</c>, protobuf text format) that AMCT's tools and
/// <see cref="RecordReader"/> read back to the same records. The output is deterministic: records in the order given,
/// fields in protobuf field-number order (as AMCT's own writer, protobuf's <c>MessageToString</c>, orders them), one
/// field per line, floats in the shortest text that parses back to the same float, <c>\n</c> line ends, UTF-8. Like
/// AMCT's writer it writes no header comment: a file holds records only, so it compares equal to AMCT's for the same
/// factors. The fields follow AMCT's ONNX schema (<c>scale_offset_record_onnx.proto</c>): a tensor-quantize entry
/// (<c>is_tensor_quantize: true</c>) is a field only that schema has, and the only field beyond the layer factors
/// that Amct.Build writes itself.
/// </summary>
public static class RecordWriter
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// Checks the records with the same rules the reader applies (so an unreadable file is never written) and writes
    /// them atomically: a reader sees the old file or the complete new one.
    /// </summary>
    /// <param name="writer">Where the file goes (default: straight into place, atomically).</param>
    public static void Write(string path, IEnumerable<LayerRecord> records, IFileWriter? writer = null)
    {
        var fullPath = Path.GetFullPath(path);
        var bytes = Utf8.GetBytes(Format(records, fullPath));
        (writer ?? AtomicFileWriter.Instance).Write(fullPath, stream => stream.Write(bytes));
    }

    /// <summary>The file's text.</summary>
    /// <param name="records">The records, written in this order.</param>
    /// <param name="target">The file to name in errors.</param>
    internal static string Format(IEnumerable<LayerRecord> records, string target)
    {
        var text = new StringBuilder();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            Check(record, target);
            if (!keys.Add(record.Key))
            {
                throw new AmctException(ErrorCodes.RecordDuplicateKey, target,
                    $"cannot write two records for '{record.Key}'; a record file holds one record per layer.");
            }
            AppendRecord(text, record);
        }
        return text.ToString();
    }

    private static void Check(LayerRecord record, string target)
    {
        if (RecordRules.FindProblem(record) is { } problem)
        {
            throw new AmctException(problem.Code, target, $"cannot write the record for '{record.Key}': {problem.Message}");
        }
    }

    private static void AppendRecord(StringBuilder text, LayerRecord record)
    {
        text.Append("record {\n");
        text.Append("  key: ").Append(Quote(record.Key)).Append('\n');
        text.Append("  value {\n");
        // Field-number order of AMCT's SingleLayerRecord: 1-5 shared by the ONNX and PyTorch variants, then the rest.
        Field(text, "scale_d", record.ScaleD);
        Field(text, "offset_d", record.OffsetD);
        Fields(text, "scale_w", record.ScaleW.Select(Number));
        Fields(text, "offset_w", record.OffsetW.Select(Number));
        Fields(text, "shift_bit", record.ShiftBit.Select(Number));
        Fields(text, "tensor_balance_factor", record.TensorBalanceFactor.Select(Number));
        Field(text, "skip_fusion", record.SkipFusion);
        Field(text, "is_tensor_quantize", record.IsTensorQuantize);
        Field(text, "dst_type", record.DstType);
        Field(text, "act_type", record.ActType);
        Field(text, "wts_type", record.WtsType);
        text.Append("  }\n");
        text.Append("}\n");
    }

    private static void Field(StringBuilder text, string name, float? value) => Fields(text, name, value is { } v ? [Number(v)] : []);

    private static void Field(StringBuilder text, string name, int? value) => Fields(text, name, value is { } v ? [Number(v)] : []);

    private static void Field(StringBuilder text, string name, bool? value) =>
        Fields(text, name, value is { } v ? [v ? "true" : "false"] : []);

    private static void Field(StringBuilder text, string name, string? value) => Fields(text, name, value is null ? [] : [Quote(value)]);

    private static void Fields(StringBuilder text, string name, IEnumerable<string> values)
    {
        foreach (var value in values)
        {
            text.Append("    ").Append(name).Append(": ").Append(value).Append('\n');
        }
    }

    /// <summary>
    /// The shortest text that parses back to the same float ("R" is shortest-round-trip on .NET Core 3.0 and later),
    /// with a lowercase exponent as AMCT's (protobuf's) writer prints it: 0.0798481479, 1, 5.9653456e-05.
    /// </summary>
    private static string Number(float value) =>
        value.ToString("R", CultureInfo.InvariantCulture).Replace('E', 'e');

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Number(uint value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A double-quoted string: quotes, backslashes and control characters escaped, other text as UTF-8.</summary>
    private static string Quote(string value)
    {
        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': quoted.Append("\\\""); break;
                case '\\': quoted.Append("\\\\"); break;
                case '\n': quoted.Append("\\n"); break;
                case '\r': quoted.Append("\\r"); break;
                case '\t': quoted.Append("\\t"); break;
                case < ' ' or '\x7F':
                    quoted.Append('\\').Append(Convert.ToString(c, 8).PadLeft(3, '0'));
                    break;
                default: quoted.Append(c); break;
            }
        }
        return quoted.Append('"').ToString();
    }
}
