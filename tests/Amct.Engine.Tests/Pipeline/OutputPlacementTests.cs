using System.Diagnostics;
using Amct.Engine.Pipeline;
using Amct.TestSupport;
using Google.Protobuf;

namespace Amct.Engine.Tests.Pipeline;

/// <summary>
/// Issue 11, writing: output names are plain file names, a model's outputs are written as a unit (never a model
/// without its record, no temporary files left on any exit path), and folders or special files at an output path are
/// errors, never replaced.
/// </summary>
[TestClass]
public sealed class OutputPlacementTests
{
    // In ordinal order, as Entries lists them.
    private static readonly string[] Outputs = ["gemm.int8.onnx", "gemm.quant.html", "gemm.quant.json", "gemm.quant.md", "gemm.record.txt"];

    [TestMethod]
    [DataRow("../x")]
    [DataRow("/abs")]
    [DataRow("sub/x")]
    [DataRow("a\0b")]
    [DataRow("")]
    public void An_output_name_that_is_not_a_plain_file_name_is_a_coded_error_naming_the_setting(string name)
    {
        using var temp = new TempFolder();
        var error = Assert.ThrowsExactly<AmctException>(() =>
            QuantizationJob.Run(Request(temp) with { OutputName = name }, new CollectingLog()));

        Assert.AreEqual(ErrorCodes.OutputNameNotPlain, error.Code, error.Message);
        Assert.AreEqual("output-name", error.Target);
        Assert.IsEmpty(Directory.GetFiles(temp.Path, "*.int8.onnx", SearchOption.AllDirectories), "nothing written anywhere");
        Assert.IsFalse(File.Exists(Path.Combine(Path.GetTempPath(), "amct-tests", "x.int8.onnx")), "nothing written outside");
    }

    [TestMethod]
    public void An_output_folder_that_is_a_file_is_a_coded_error_and_the_file_stays()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("out"), "a file");

        var error = Assert.ThrowsExactly<AmctException>(() => QuantizationJob.Run(Request(temp), new CollectingLog()));

        Assert.AreEqual(ErrorCodes.OutputFolderInvalid, error.Code, error.Message);
        Assert.AreEqual(temp.File("out"), error.Target);
        Assert.AreEqual("a file", File.ReadAllText(temp.File("out")));
        QuantizationJob.RemoveOutputs(Request(temp)); // what a job runs after a failure: must not throw here
    }

    [TestMethod]
    public void When_a_later_output_cannot_be_written_no_output_of_the_set_is_written()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.File("out/gemm.quant.json"));

        var error = Assert.ThrowsExactly<AmctException>(() => QuantizationJob.Run(Request(temp), new CollectingLog()));

        Assert.AreEqual(ErrorCodes.OutputNotRegularFile, error.Code, error.Message);
        Assert.AreEqual(temp.File("out/gemm.quant.json"), error.Target);
        Assert.IsTrue(Directory.Exists(temp.File("out/gemm.quant.json")), "the folder is not replaced");
        CollectionAssert.AreEqual(new[] { "gemm.quant.json" }, Entries(temp.File("out")), "no model, record or temporary file");
    }

    [TestMethod]
    public void A_fifo_at_an_output_path_is_an_error_and_stays_a_fifo()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.File("out"));
        MakeFifo(temp.File("out/gemm.int8.onnx"));

        var error = Assert.ThrowsExactly<AmctException>(() => QuantizationJob.Run(Request(temp), new CollectingLog()));

        Assert.AreEqual(ErrorCodes.OutputNotRegularFile, error.Code, error.Message);
        Assert.AreEqual(Amct.Engine.IO.EntryKind.Special, Amct.Engine.IO.EntryKinds.Of(temp.File("out/gemm.int8.onnx")));
        CollectionAssert.AreEqual(new[] { "gemm.int8.onnx" }, Entries(temp.File("out")));
    }

    [TestMethod]
    public void A_record_path_that_turns_into_a_folder_before_publishing_leaves_the_old_model_and_record_and_no_new_model()
    {
        using var temp = new TempFolder();
        var first = QuantizationJob.Run(Request(temp), new CollectingLog());
        var oldModel = File.ReadAllBytes(first.QuantizedModel);

        var stages = QuantizationJob.Stages();
        stages.Insert(stages.FindIndex(s => s.Name == "publish"), new ActionStage("sabotage", _ =>
        {
            File.Delete(temp.File("out/gemm.record.txt"));
            Directory.CreateDirectory(temp.File("out/gemm.record.txt"));
        }));
        var error = Assert.ThrowsExactly<AmctException>(() =>
            QuantizationJob.Run(Request(temp) with { Method = "minmax" }, new CollectingLog(), stages));

        Assert.AreEqual(ErrorCodes.OutputNotRegularFile, error.Code, error.Message);
        CollectionAssert.AreEqual(oldModel, File.ReadAllBytes(first.QuantizedModel), "the old model is untouched");
        Assert.IsEmpty(Temporaries(temp.File("out")));
    }

    [TestMethod]
    public void A_job_interrupted_after_staging_its_files_leaves_the_old_outputs_and_no_temporary_file()
    {
        using var temp = new TempFolder();
        QuantizationJob.Run(Request(temp), new CollectingLog());
        var before = Outputs.Select(f => File.ReadAllBytes(temp.File("out/" + f))).ToList();

        var stages = QuantizationJob.Stages();
        stages.Insert(stages.FindIndex(s => s.Name == "publish"), new ActionStage("cancel", _ =>
        {
            Assert.IsNotEmpty(Temporaries(temp.File("out")), "the model and record are staged by now");
            throw new OperationCanceledException();
        }));
        Assert.ThrowsExactly<OperationCanceledException>(() =>
            QuantizationJob.Run(Request(temp) with { Method = "minmax" }, new CollectingLog(), stages));

        Assert.IsEmpty(Temporaries(temp.File("out")));
        CollectionAssert.AreEqual(Outputs, Entries(temp.File("out")));
        for (var i = 0; i < Outputs.Length; i++)
        {
            CollectionAssert.AreEqual(before[i], File.ReadAllBytes(temp.File("out/" + Outputs[i])), Outputs[i]);
        }
    }

    [TestMethod]
    public void A_termination_signal_removes_the_staged_files_of_an_open_set()
    {
        using var temp = new TempFolder();
        using var set = new Amct.Engine.IO.StagedFileSet(temp.Path);
        set.WriteAllBytes(temp.File("a.txt"), "a"u8.ToArray());
        Assert.HasCount(1, Temporaries(temp.Path));

        set.Abort(); // what the SIGINT/SIGTERM handler runs

        Assert.IsEmpty(Directory.GetFileSystemEntries(temp.Path));
        Assert.ThrowsExactly<ObjectDisposedException>(() => set.Commit([temp.File("a.txt")], []));
    }

    [TestMethod]
    public void Temporary_files_a_killed_process_left_are_removed_by_the_next_run_and_a_live_ones_are_not()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.File("out"));
        var dead = temp.File($"out/.gemm.int8.onnx.{int.MaxValue}-0123456789abcdef0123456789abcdef.tmp");
        var live = temp.File($"out/.gemm.record.txt.{Environment.ProcessId}-0123456789abcdef0123456789abcdef.tmp");
        File.WriteAllText(dead, "left by kill -9");
        File.WriteAllText(live, "being written");

        QuantizationJob.Run(Request(temp), new CollectingLog());

        Assert.IsFalse(File.Exists(dead));
        Assert.IsTrue(File.Exists(live));
    }

    [TestMethod]
    public void A_successful_run_writes_exactly_the_output_set()
    {
        using var temp = new TempFolder();
        var result = QuantizationJob.Run(Request(temp), new CollectingLog());

        CollectionAssert.AreEqual(Outputs, Entries(temp.File("out")));
        CollectionAssert.AreEquivalent(Outputs.Select(f => temp.File("out/" + f)).ToList(), result.Files.ToList());
        Assert.AreEqual(new FileInfo(result.QuantizedModel).Length, result.Report.Model.OutputBytes);
    }

    private static QuantizeRequest Request(TempFolder temp)
    {
        var model = temp.File("gemm.onnx");
        if (!File.Exists(model))
        {
            File.WriteAllBytes(model, ModelBuilder.Gemm().ToByteArray());
            NpyWriter.Write(temp.File("x.npy"), [8, 4], Enumerable.Range(0, 32).Select(i => (i % 9 - 4) * 0.5f).ToArray());
        }
        // A 3x4 Gemm grows when quantized (its QDQ nodes outweigh 12 weights): the quality floor would refuse it.
        return new QuantizeRequest { ModelPath = model, CalibrationData = temp.File("x.npy"), OutputDirectory = temp.File("out"), QualityFloor = false };
    }

    private static string[] Entries(string folder) =>
        Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    private static string[] Temporaries(string folder) => Directory.GetFiles(folder, ".*.tmp");

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        mkfifo.WaitForExit();
        Assert.AreEqual(0, mkfifo.ExitCode, "mkfifo");
    }

    /// <summary>A stage made of a delegate: shows a stage can be inserted without touching the others.</summary>
    private sealed class ActionStage(string name, Action<JobContext> action) : IJobStage
    {
        public string Name => name;
        public StageTiming Timing => StageTiming.None;

        public void Run(JobContext context) => action(context);
    }
}
