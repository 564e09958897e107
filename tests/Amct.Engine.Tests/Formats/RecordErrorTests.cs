using System.Text;
using Amct.Engine.Formats;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Formats;

/// <summary>Bad record files and bad records: each is a coded AMCT11xx error naming the file, the line and the field or layer.</summary>
[TestClass]
public sealed class RecordErrorTests
{
    [TestMethod]
    public void A_missing_file_or_a_folder_is_AMCT1101()
    {
        using var temp = new TempFolder();
        AssertReadFails(temp.File("nope.txt"), ErrorCodes.RecordFileNotFound, "does not exist");
        AssertReadFails(temp.Path, ErrorCodes.RecordFileNotFound, "is a folder");
    }

    [TestMethod]
    public void A_binary_file_is_a_syntax_error()
    {
        using var temp = new TempFolder();
        var path = temp.File("record.pb");
        File.WriteAllBytes(path, [0x0A, 0x12, 0xFF, 0xFE, 0x80, 0x01]);
        AssertReadFails(path, ErrorCodes.RecordSyntaxError, "not UTF-8");
    }

    [TestMethod]
    [DataRow("record {\n  key: \"a\"\n  value { scale_d: 1\n", 4, "'{' opened on line 3 is not closed")]
    [DataRow("record {\n  key: \"a\n}", 2, "string is not closed")]
    [DataRow("record {\n  key: \"a\"\n  value { scale_d: 1.2.3 }\n}", 3, "'1.2.3' is not a number")]
    [DataRow("record {\n  key: \"a\"\n  value { scale_d: 12abc }\n}", 3, "'12abc' is not a number")]
    [DataRow("record {\n\n  key @ \"a\"\n}", 3, "unexpected character '@'")]
    [DataRow("record {\n  key \"a\"\n}", 2, "expected ':' or '{' after the field name 'key'")]
    [DataRow("record {\n  key: \"a\"\n  value { scale_d: }\n}", 3, "expected a value, found '}'")]
    [DataRow("record {\n  key: \"a\"\n}\n}", 4, "expected a field name, found '}'")]
    [DataRow("record {\n  key: \"a\\q\"\n}", 2, "unknown escape sequence '\\q'")]
    [DataRow("record {\n  key: \"\\xff\"\n}", 2, "do not form valid UTF-8")]
    [DataRow("record {\n  key: \"a\"\n  value { scale_w: [0.5 0.25] }\n}", 3, "expected ',' or ']'")]
    [DataRow("record {\n  key: \"a\"\n  value { scale_d: -\"x\" }\n}", 3, "expected a value")]
    [DataRow("[ext.field] { }", 1, "extension")]
    public void Syntax_errors_are_AMCT1102_with_the_line(string text, int line, string messagePart)
    {
        var error = AssertParseFails(text, ErrorCodes.RecordSyntaxError, messagePart);
        StringAssert.StartsWith(error.Message, $"line {line}, column ");
        Assert.AreEqual(line, error.Line);
        StringAssert.StartsWith(error.ToCanonicalString(), $"{error.Target}({line},{error.Column}): error AMCT1102: ");
    }

    [TestMethod]
    public void Nesting_beyond_the_limit_is_a_syntax_error_not_a_stack_overflow()
    {
        var text = string.Concat(Enumerable.Repeat("a { ", 100_000));
        AssertParseFails(text, ErrorCodes.RecordSyntaxError, "nested more than");
    }

    [TestMethod]
    public void Unknown_fields_are_AMCT1103_naming_the_line_field_and_record()
    {
        var error = AssertParseFails("record {\n  key: \"conv1\"\n  value {\n    scale_x: 1\n  }\n}",
            ErrorCodes.RecordUnknownField, "line 4: record 'conv1': unknown field 'scale_x'");
        StringAssert.Contains(error.Message, "scale_d, offset_d");
        AssertParseFails("record { key: \"conv1\" valu { } }", ErrorCodes.RecordUnknownField, "line 1: record 'conv1': unknown field 'valu'");
        AssertParseFails("# header\nrecords { key: \"conv1\" }", ErrorCodes.RecordUnknownField, "line 2: unknown field 'records'");
        AssertParseFails("record { key: \"a\" value { bogus { } } }", ErrorCodes.RecordUnknownField, "unknown field 'bogus'");
    }

    [TestMethod]
    [DataRow("prune_record { producer { name: \"conv1\" } }", "prune_record")]
    [DataRow("record { key: \"k\" kv_cache_value { scale: 1 } }", "kv_cache_value")]
    [DataRow("record { key: \"lstm\" value { scale_d: 1 scale_h: 0.5 } }", "scale_h")]
    [DataRow("record { key: \"lstm\" value { scale_r: 0.5 } }", "scale_r")]
    [DataRow("record { key: \"c\" value { fakequant_precision_mode: \"FORCE_FP16_QUANT\" } }", "fakequant_precision_mode")]
    public void AMCT_fields_we_cannot_honour_are_AMCT1104(string text, string field)
    {
        AssertParseFails(text, ErrorCodes.RecordFieldUnsupported, $"line 1: ", $"{field} is an AMCT field Amct.Build does not support");
    }

    [TestMethod]
    [DataRow("scale_d: 0", "scale_d 0 is not positive")]
    [DataRow("scale_d: -0.5", "scale_d -0.5 is not positive")]
    [DataRow("scale_d: inf", "scale_d Infinity is not a finite number")]
    [DataRow("scale_d: -Infinity", "is not a finite number")]
    [DataRow("scale_d: nan", "scale_d NaN is not a finite number")]
    [DataRow("scale_d: 1e-45", "reciprocal overflows")]
    [DataRow("scale_d: 1e39", "is not a finite number")]
    [DataRow("scale_d: \"0.5\"", "scale_d: \"0.5\" is not a number")]
    [DataRow("scale_d: high", "scale_d: high is not a number")]
    [DataRow("offset_d: 128", "offset_d 128 is outside the int8 range [-128, 127]")]
    [DataRow("offset_d: -129", "offset_d -129 is outside the int8 range")]
    [DataRow("offset_d: 1.0", "offset_d: 1.0 is not an integer")]
    [DataRow("offset_d: 3000000000", "offset_d: 3000000000 is outside the int32 range")]
    [DataRow("shift_bit: -1", "shift_bit: -1 is outside the uint32 range")]
    [DataRow("scale_w: 0.5 scale_w: 0 offset_w: 0 offset_w: 0", "scale_w #2 0 is not positive")]
    [DataRow("scale_w: 0.5 offset_w: 1", "offset_w #1 is 1, but AMCT quantizes weights symmetrically and supports only offset_w: 0")]
    [DataRow("tensor_balance_factor: -1", "tensor_balance_factor #1 -1 is not a positive finite number")]
    [DataRow("skip_fusion: yes", "skip_fusion: yes is not a bool")]
    [DataRow("skip_fusion: 2", "skip_fusion: 2 is not a bool")]
    [DataRow("dst_type: INT8", "dst_type: INT8 is not a string")]
    [DataRow("scale_d { }", "scale_d takes a value")]
    public void Bad_values_are_AMCT1105_naming_the_line_layer_and_field(string field, string messagePart)
    {
        AssertParseFails($"# a record file\nrecord {{\n  key: \"conv1\"\n  value {{\n    {field}\n  }}\n}}\n",
            ErrorCodes.RecordBadValue, "line 5: record 'conv1': ", messagePart);
    }

    [TestMethod]
    public void A_bad_key_or_a_scalar_where_a_block_belongs_is_AMCT1105()
    {
        AssertParseFails("record { key: conv1 }", ErrorCodes.RecordBadValue, "line 1: key: conv1 is not a string");
        AssertParseFails("record { key { } }", ErrorCodes.RecordBadValue, "key takes a quoted name");
        AssertParseFails("record: 3", ErrorCodes.RecordBadValue, "record takes a block");
        AssertParseFails("record { key: \"a\" value: 3 }", ErrorCodes.RecordBadValue, "record 'a': value takes a block");
    }

    [TestMethod]
    public void Different_scale_w_and_offset_w_counts_are_AMCT1106()
    {
        AssertParseFails("record {\n  key: \"conv1\"\n  value {\n    scale_w: 0.5\n    scale_w: 0.25\n    offset_w: 0\n  }\n}",
            ErrorCodes.RecordCountMismatch, "line 6: record 'conv1': ", "2 scale_w and 1 offset_w");
        AssertParseFails("record { key: \"fc\" value { scale_w: 0.5 } }", ErrorCodes.RecordCountMismatch, "line 1: record 'fc':", "1 scale_w and 0 offset_w");
    }

    [TestMethod]
    public void A_record_without_a_key_is_AMCT1107()
    {
        AssertParseFails("record { key: \"ok\" }\n\nrecord {\n  value { scale_d: 1 }\n}", ErrorCodes.RecordMissingKey, "line 3: ", "has no key");
        AssertParseFails("record { key: \"\" value { scale_d: 1 } }", ErrorCodes.RecordMissingKey, "line 1: ", "has no key");
    }

    [TestMethod]
    public void Two_records_with_the_same_key_are_AMCT1108_naming_both_lines()
    {
        AssertParseFails("record { key: \"conv1\" }\nrecord { key: \"conv2\" }\nrecord { key: \"conv1\" }",
            ErrorCodes.RecordDuplicateKey, "line 3: record 'conv1': ", "the first is on line 1");
    }

    [TestMethod]
    public void Errors_of_a_file_name_the_full_path_as_target()
    {
        using var temp = new TempFolder();
        var path = temp.File("record.txt");
        File.WriteAllText(path, "record {\n  key: \"conv1\"\n  value { offset_d: 300 }\n}\n");
        var error = AssertReadFails(path, ErrorCodes.RecordBadValue, "line 3: record 'conv1': offset_d 300");
        StringAssert.StartsWith(error.ToCanonicalString(), $"{path}(3): error AMCT1105: line 3");
    }

    [TestMethod]
    [DataRow(float.NaN, 0, "scale_d NaN is not a finite number", ErrorCodes.RecordBadValue)]
    [DataRow(0f, 0, "scale_d 0 is not positive", ErrorCodes.RecordBadValue)]
    [DataRow(0.5f, 200, "offset_d 200 is outside the int8 range", ErrorCodes.RecordBadValue)]
    public void The_writer_refuses_records_the_reader_would_reject_and_writes_nothing(float scaleD, int offsetD, string messagePart, string code)
    {
        using var temp = new TempFolder();
        var path = temp.File("record.txt");
        AssertWriteFails(path, [new LayerRecord("good") { ScaleD = 1f }, new LayerRecord("conv1") { ScaleD = scaleD, OffsetD = offsetD }],
            code, "cannot write the record for 'conv1'", messagePart);
        Assert.IsEmpty(Directory.GetFileSystemEntries(temp.Path));
    }

    [TestMethod]
    public void The_writer_refuses_bad_weights_duplicate_and_empty_keys()
    {
        using var temp = new TempFolder();
        var path = temp.File("record.txt");
        AssertWriteFails(path, [new LayerRecord("w") { ScaleW = [0.5f, 0.5f], OffsetW = [0] }], ErrorCodes.RecordCountMismatch, "2 scale_w and 1 offset_w");
        AssertWriteFails(path, [new LayerRecord("w") { ScaleW = [0.5f], OffsetW = [3] }], ErrorCodes.RecordBadValue, "offset_w #1 is 3");
        AssertWriteFails(path, [new LayerRecord("w") { TensorBalanceFactor = [float.PositiveInfinity] }], ErrorCodes.RecordBadValue, "tensor_balance_factor #1");
        AssertWriteFails(path, [new LayerRecord("a"), new LayerRecord("a")], ErrorCodes.RecordDuplicateKey, "two records for 'a'");
        AssertWriteFails(path, [new LayerRecord("")], ErrorCodes.RecordMissingKey, "has no key");
        Assert.IsFalse(File.Exists(path));
    }

    [TestMethod]
    public void A_failed_write_leaves_the_previous_file_intact()
    {
        using var temp = new TempFolder();
        var path = temp.File("record.txt");
        RecordWriter.Write(path, [new LayerRecord("kept") { ScaleD = 1f }]);
        var before = File.ReadAllBytes(path);

        Assert.ThrowsExactly<AmctException>(() => RecordWriter.Write(path, [new LayerRecord("bad") { ScaleD = -1f }]));

        CollectionAssert.AreEqual(before, File.ReadAllBytes(path));
    }

    private static AmctException AssertParseFails(string text, string code, params string[] messageParts)
    {
        var error = Assert.ThrowsExactly<AmctException>(() => RecordReader.Parse(text, "/data/record.txt"));
        Assert.AreEqual(code, error.Code, error.Message);
        Assert.AreEqual("/data/record.txt", error.Target);
        foreach (var part in messageParts)
        {
            StringAssert.Contains(error.Message, part);
        }
        return error;
    }

    private static AmctException AssertReadFails(string path, string code, string messagePart)
    {
        var error = Assert.ThrowsExactly<AmctException>(() => RecordReader.Read(path));
        Assert.AreEqual(code, error.Code, error.Message);
        Assert.AreEqual(Path.GetFullPath(path), error.Target);
        StringAssert.Contains(error.Message, messagePart);
        return error;
    }

    private static void AssertWriteFails(string path, LayerRecord[] records, string code, params string[] messageParts)
    {
        var error = Assert.ThrowsExactly<AmctException>(() => RecordWriter.Write(path, records));
        Assert.AreEqual(code, error.Code, error.Message);
        Assert.AreEqual(Path.GetFullPath(path), error.Target);
        foreach (var part in messageParts)
        {
            StringAssert.Contains(error.Message, part);
        }
    }

    // Keeps the UTF-8 literal helpers honest: the tests above write text files in UTF-8 without a BOM.
    [TestMethod]
    public void A_UTF8_byte_order_mark_is_allowed()
    {
        using var temp = new TempFolder();
        var path = temp.File("bom.txt");
        File.WriteAllText(path, "record { key: \"a\" }", new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        Assert.AreEqual("a", RecordReader.Read(path).Single().Key);
    }
}
