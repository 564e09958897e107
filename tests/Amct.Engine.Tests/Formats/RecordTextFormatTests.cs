using Amct.Engine.Formats;

namespace Amct.Engine.Tests.Formats;

/// <summary>The protobuf text format forms the record reader accepts, beyond the layout our writer produces.</summary>
[TestClass]
public sealed class RecordTextFormatTests
{
    private static LayerRecord ReadOne(string text) => RecordReader.Parse(text, "record.txt").Single();

    [TestMethod]
    public void Comments_whitespace_and_newlines_may_appear_anywhere()
    {
        var record = ReadOne("""
            # leading comment
            record#comment right after a name
            {key
            :
            "conv1"   # trailing comment
              value{scale_d:0.5 offset_d:
            3}}
            """);

        Assert.AreEqual(new LayerRecord("conv1") { ScaleD = 0.5f, OffsetD = 3 }, record);
    }

    [TestMethod]
    public void Fields_may_come_in_any_order()
    {
        var record = ReadOne("""record { value { offset_w: 0 offset_d: -5 scale_w: 0.25 scale_d: 0.125 } key: "late_key" }""");

        Assert.AreEqual(new LayerRecord("late_key") { ScaleD = 0.125f, OffsetD = -5, ScaleW = [0.25f], OffsetW = [0] }, record);
    }

    [TestMethod]
    public void Angle_brackets_optional_colons_and_separators_are_accepted()
    {
        var record = ReadOne("""record: < key: "a"; value < scale_d: 1.5, offset_d: 2; skip_fusion: false > >""");

        Assert.AreEqual(new LayerRecord("a") { ScaleD = 1.5f, OffsetD = 2, SkipFusion = false }, record);
    }

    [TestMethod]
    public void List_syntax_gives_one_value_per_element()
    {
        var record = ReadOne("""record { key: "a" value { scale_w: [0.5, 0.25, 1e-3] offset_w: [0, 0, 0] shift_bit: [] } }""");

        Assert.AreEqual(new LayerRecord("a") { ScaleW = [0.5f, 0.25f, 0.001f], OffsetW = [0, 0, 0] }, record);
    }

    [TestMethod]
    public void A_single_field_given_twice_keeps_the_last_value_and_repeated_fields_append()
    {
        // AMCT documents "last one wins" for duplicated optional fields; a second value block merges into the first.
        var record = ReadOne("""
            record {
              key: "first" key: "second"
              value { scale_d: 1 scale_w: 0.5 offset_w: 0 dst_type: "INT16" }
              value { scale_d: 2 scale_w: 0.25 offset_w: 0 dst_type: "INT8" }
            }
            """);

        Assert.AreEqual(new LayerRecord("second") { ScaleD = 2f, ScaleW = [0.5f, 0.25f], OffsetW = [0, 0], DstType = "INT8" }, record);
    }

    [TestMethod]
    public void Numbers_may_use_exponents_suffixes_hex_octal_and_signs()
    {
        var record = ReadOne("""
            record { key: "n" value {
              scale_d: 2.5E-3f
              offset_d: -0x10
              scale_w: 5.   scale_w: .5   scale_w: 3   scale_w: 7F   scale_w: 1e+2
              offset_w: 0 offset_w: 00 offset_w: 0x0 offset_w: -0 offset_w: 0
              shift_bit: 017 shift_bit: 4294967295
            } }
            """);

        Assert.AreEqual(0.0025f, record.ScaleD);
        Assert.AreEqual(-16, record.OffsetD);
        CollectionAssert.AreEqual(new[] { 5f, 0.5f, 3f, 7f, 100f }, record.ScaleW.ToArray());
        CollectionAssert.AreEqual(new uint[] { 15, uint.MaxValue }, record.ShiftBit.ToArray());
    }

    [TestMethod]
    public void Bools_accept_the_protobuf_spellings()
    {
        bool? Read(string value) => ReadOne($$"""record { key: "b" value { skip_fusion: {{value}} } }""").SkipFusion;

        Assert.IsTrue(Read("true"));
        Assert.IsTrue(Read("True"));
        Assert.IsTrue(Read("t"));
        Assert.IsTrue(Read("1"));
        Assert.IsFalse(Read("false"));
        Assert.IsFalse(Read("False"));
        Assert.IsFalse(Read("f"));
        Assert.IsFalse(Read("0"));
    }

    [TestMethod]
    public void Strings_accept_single_quotes_C_escapes_and_adjacent_parts()
    {
        Assert.AreEqual("it's", ReadOne("""record { key: 'it\'s' }""").Key);
        Assert.AreEqual("a\"b\\c\n\t\a\u0001?", ReadOne("""record { key: "a\"b\\c\n\t\a\001\?" }""").Key);
        Assert.AreEqual("AB", ReadOne("""record { key: "\x41\102" }""").Key);
        Assert.AreEqual("层é", ReadOne("""record { key: "\u5c42\303\251" }""").Key);
        Assert.AreEqual("conv1", ReadOne("""record { key: "con" 'v' "1" }""").Key);
        Assert.AreEqual("层1", ReadOne("""record { key: "层1" }""").Key);
    }

    [TestMethod]
    public void The_FP16_mode_DEFAULT_and_Caffe_shape_hints_are_accepted_and_ignored()
    {
        var record = ReadOne("""
            record { key: "c" value { scale_d: 0.5 fakequant_precision_mode: "DEFAULT" channels: 3 height: 224 width: 224 } }
            """);

        Assert.AreEqual(new LayerRecord("c") { ScaleD = 0.5f }, record);
    }

    [TestMethod]
    public void A_record_without_a_value_or_a_file_without_records_is_valid()
    {
        Assert.AreEqual(new LayerRecord("bare"), ReadOne("""record { key: "bare" }"""));
        Assert.IsEmpty(RecordReader.Parse("# nothing here\n\n", "record.txt"));
        Assert.IsEmpty(RecordReader.Parse("", "record.txt"));
    }
}
