using Amct.Engine.Formats;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Formats;

/// <summary>Writing and reading AMCT record files: round trips, determinism, layout and AMCT's own examples.</summary>
[TestClass]
public sealed class RecordFileTests
{
    /// <summary>The three examples of AMCT's record documentation (amct-spec.md §2.3), verbatim.</summary>
    private const string AmctDocumentedExamples = """
        record {
          key: "conv1"
          value { scale_d: 0.0798481479 offset_d: 1 scale_w: 0.00297622895 offset_w: 0 skip_fusion: true dst_type: "INT8" }
        }
        record {
          key: "layer1.0.conv1"
          value { scale_d: 0.00392156886 offset_d: -128
                  scale_w: 0.00106807391 scale_w: 0.00104224426  offset_w: 0 offset_w: 0  dst_type: "INT8" }
        }
        # DMQ-balanced layer
        record { key: "linear_1" value { scale_d: 0.00784554612 offset_d: -1 scale_w: 0.00778095098 offset_w: 0
                 tensor_balance_factor: 0.948409557 tensor_balance_factor: 0.984379828 } }
        """;

    [TestMethod]
    public void AMCTs_documented_examples_are_read()
    {
        using var temp = new TempFolder();
        var path = temp.File("record.txt");
        File.WriteAllText(path, AmctDocumentedExamples);

        var records = RecordReader.Read(path);

        Assert.HasCount(3, records);
        Assert.AreEqual(new LayerRecord("conv1")
        {
            ScaleD = 0.0798481479f,
            OffsetD = 1,
            ScaleW = [0.00297622895f],
            OffsetW = [0],
            SkipFusion = true,
            DstType = "INT8",
        }, records[0]);
        Assert.AreEqual(new LayerRecord("layer1.0.conv1")
        {
            ScaleD = 0.00392156886f,
            OffsetD = -128,
            ScaleW = [0.00106807391f, 0.00104224426f],
            OffsetW = [0, 0],
            DstType = "INT8",
        }, records[1]);
        Assert.AreEqual(new LayerRecord("linear_1")
        {
            ScaleD = 0.00784554612f,
            OffsetD = -1,
            ScaleW = [0.00778095098f],
            OffsetW = [0],
            TensorBalanceFactor = [0.948409557f, 0.984379828f],
        }, records[2]);
        // 0.00392156886 is AMCT's float for 1/255.
        Assert.AreEqual(1f / 255, records[1].ScaleD);
    }

    [TestMethod]
    public void Records_survive_a_write_and_read_unchanged()
    {
        using var temp = new TempFolder();
        var path = temp.File("model.record.txt");
        LayerRecord[] records =
        [
            // 0.0118953455 and 0.0146033075 need all 9 significant digits to round-trip; the others need 8.
            new("conv1") { ScaleD = 0.0118953455f, OffsetD = -128, ScaleW = [0.0146033075f, 0.00104224426f, 1.00000012f], OffsetW = [0, 0, 0] },
            new("fc") { ScaleD = 1e-5f, OffsetD = 127, ScaleW = [3.40282347e+38f / 2], OffsetW = [0], SkipFusion = false },
            new("pool_in") { ScaleD = 0.1f, OffsetD = -7, IsTensorQuantize = true },
            new("layer \"odd\" name\\with\ttab") { ScaleD = 1f, ShiftBit = [1, 16], TensorBalanceFactor = [0.948409557f], DstType = "INT8", ActType = "INT8", WtsType = "INT7" },
            new("ünïcödé/层") { OffsetD = 0 },
        ];

        RecordWriter.Write(path, records);
        var read = RecordReader.Read(path);

        CollectionAssert.AreEqual(records, read.ToList());
        var text = File.ReadAllText(path);
        StringAssert.Contains(text, "scale_d: 0.0118953455\n");
        StringAssert.Contains(text, "scale_w: 0.0146033075\n");
        StringAssert.Contains(text, "offset_d: -128\n");
    }

    [TestMethod]
    public void Every_valid_float_round_trips_bit_exactly()
    {
        var random = new Random(20260101);
        var scales = new List<float>();
        while (scales.Count < 2000)
        {
            var value = BitConverter.Int32BitsToSingle(random.Next());
            if (float.IsFinite(value) && value > 0 && float.IsFinite(1 / value))
            {
                scales.Add(value);
            }
        }
        var records = scales.Select((scale, i) => new LayerRecord($"layer{i}") { ScaleD = scale, ScaleW = [scale], OffsetW = [0] }).ToList();

        var read = RecordReader.Parse(RecordWriter.Format(records, "mem"), "mem");

        for (var i = 0; i < scales.Count; i++)
        {
            Assert.AreEqual(BitConverter.SingleToInt32Bits(scales[i]), BitConverter.SingleToInt32Bits(read[i].ScaleD!.Value), $"{scales[i]:R}");
            Assert.AreEqual(BitConverter.SingleToInt32Bits(scales[i]), BitConverter.SingleToInt32Bits(read[i].ScaleW[0]), $"{scales[i]:R}");
        }
    }

    [TestMethod]
    public void The_layout_is_one_block_per_layer_and_one_field_per_line()
    {
        var text = RecordWriter.Format(
        [
            new LayerRecord("conv1") { ScaleD = 0.0118953455f, OffsetD = 1, ScaleW = [0.00297622895f, 0.5f], OffsetW = [0, 0], SkipFusion = true, DstType = "INT8" },
            new LayerRecord("relu_out") { ScaleD = 2.5e-7f, OffsetD = -128, IsTensorQuantize = true },
        ], "mem");

        Assert.AreEqual("""
            record {
              key: "conv1"
              value {
                scale_d: 0.0118953455
                offset_d: 1
                scale_w: 0.002976229
                scale_w: 0.5
                offset_w: 0
                offset_w: 0
                skip_fusion: true
                dst_type: "INT8"
              }
            }
            record {
              key: "relu_out"
              value {
                scale_d: 2.5e-07
                offset_d: -128
                is_tensor_quantize: true
              }
            }

            """.ReplaceLineEndings("\n"), text);
    }

    [TestMethod]
    public void Two_writes_of_the_same_records_are_byte_identical()
    {
        using var temp = new TempFolder();
        var records = Enumerable.Range(0, 50)
            .Select(i => new LayerRecord($"layer{i}") { ScaleD = 0.01f * (i + 1) / 3, OffsetD = i - 25, ScaleW = [0.001f * i + 1e-6f], OffsetW = [0] })
            .ToList();

        RecordWriter.Write(temp.File("a.txt"), records);
        RecordWriter.Write(temp.File("b.txt"), records.ToList());

        CollectionAssert.AreEqual(File.ReadAllBytes(temp.File("a.txt")), File.ReadAllBytes(temp.File("b.txt")));
    }

    [TestMethod]
    public void Records_keep_the_order_they_were_given()
    {
        LayerRecord[] records = [new("z") { ScaleD = 1f }, new("a") { ScaleD = 2f }, new("m") { ScaleD = 3f }];

        var read = RecordReader.Parse(RecordWriter.Format(records, "mem"), "mem");

        CollectionAssert.AreEqual(new[] { "z", "a", "m" }, read.Select(r => r.Key).ToArray());
    }

    [TestMethod]
    public void Writing_replaces_an_existing_file_and_leaves_no_temporary_file()
    {
        using var temp = new TempFolder();
        var path = temp.File("out/record.txt");
        RecordWriter.Write(path, [new LayerRecord("old") { ScaleD = 1f }]);

        RecordWriter.Write(path, [new LayerRecord("new") { ScaleD = 2f }]);

        Assert.AreEqual("new", RecordReader.Read(path).Single().Key);
        CollectionAssert.AreEqual(new[] { "record.txt" }, Directory.GetFiles(temp.File("out")).Select(Path.GetFileName).ToArray());
    }

    [TestMethod]
    public void An_empty_record_list_writes_a_file_that_reads_as_empty()
    {
        using var temp = new TempFolder();
        var path = temp.File("empty.txt");

        RecordWriter.Write(path, []);

        Assert.IsEmpty(RecordReader.Read(path));
    }
}
