using Amct.Engine.IO;

namespace Amct.Engine.Pipeline;

/// <summary>
/// The files one model's quantization writes (names from <see cref="OutputNames"/>), written as a unit: every file is
/// staged first, then the old set is replaced in an order such that a reader never sees a model without its record
/// (the model is renamed last). A failed gate replaces the set with the failed-gate report alone.
/// </summary>
internal sealed class OutputSet : IDisposable
{
    private StagedFileSet? _files;

    private OutputSet(string folder, string name)
    {
        Folder = folder;
        Model = Path.Combine(folder, OutputNames.QuantizedModel(name));
        ExternalData = Path.Combine(folder, OutputNames.ExternalData(name));
        Record = Path.Combine(folder, OutputNames.Record(name));
        Report = Path.Combine(folder, OutputNames.Report(name));
        HumanReport = Path.Combine(folder, OutputNames.HumanReport(name));
        HtmlReport = Path.Combine(folder, OutputNames.HtmlReport(name));
        FailedReport = Path.Combine(folder, OutputNames.FailedReport(name));
        All = OutputNames.Outputs(name).Select(n => Path.Combine(folder, n)).ToList();
    }

    public string Folder { get; }
    public string Model { get; }
    public string ExternalData { get; }
    public string Record { get; }
    public string Report { get; }
    public string HumanReport { get; }
    public string HtmlReport { get; }
    public string FailedReport { get; }

    /// <summary>Every output a successful run may leave (the failed-gate report is not one).</summary>
    public IReadOnlyList<string> All { get; }

    /// <summary>
    /// The outputs of <paramref name="request"/>. A name that is not a plain file name, or an output folder that is a
    /// file, is an error here, before any work is done.
    /// </summary>
    public static OutputSet For(QuantizeRequest request)
    {
        var name = request.OutputName ?? Path.GetFileNameWithoutExtension(request.ModelPath);
        if (OutputNames.NameProblem(name) is { } problem)
        {
            throw new AmctException(ErrorCodes.OutputNameNotPlain, "output-name",
                $"the output name '{Printable(name)}' cannot be used: {problem}. The outputs are <name>{OutputNames.QuantizedModelSuffix}, " +
                $"<name>{OutputNames.RecordSuffix}… inside the output folder (OutputName, --output-name).");
        }
        if (request.OutputDirectory.Trim().Length == 0)
        {
            throw new AmctException(ErrorCodes.OutputFolderInvalid, "output-dir",
                "the output folder is empty. Give a folder (OutputDirectory, --output-dir), or leave it out.");
        }
        var folder = Path.GetFullPath(request.OutputDirectory);
        if (File.Exists(folder) || EntryKinds.Of(folder) == EntryKind.Special)
        {
            throw new AmctException(ErrorCodes.OutputFolderInvalid, folder,
                "the output folder is a file. Give a folder (it is created if missing), or remove the file.");
        }
        return new OutputSet(folder, name);
    }

    /// <summary>
    /// Removes whatever outputs of <paramref name="request"/> an earlier run left, so a later build does not take them
    /// as current after this run failed. Best effort and never throws: it runs while another error is reported, and a
    /// name or folder that is not valid has no outputs. Folders and special files at an output's path are left alone.
    /// </summary>
    public static void RemoveStale(QuantizeRequest request)
    {
        try
        {
            var outputs = For(request);
            foreach (var path in outputs.All.Where(p => EntryKinds.Of(p) is EntryKind.RegularFile or EntryKind.SymbolicLink))
            {
                AtomicFile.TryDelete(path);
            }
        }
        catch (AmctException)
        {
            // An invalid name or folder: this run wrote nothing, and there is nothing to remove.
        }
    }

    /// <summary>Where files are staged until <see cref="Commit"/>; the output folder is created when first needed.</summary>
    public StagedFileSet Files => _files ??= Open();

    /// <summary>Replaces the old output set by the staged files: data, record, reports, and the model last.</summary>
    public IReadOnlyList<string> Commit()
    {
        var order = new[] { ExternalData, Record, Report, HumanReport, HtmlReport, Model }.Where(Files.Staged.Contains).ToList();
        // The old model goes first, so it is never seen next to the new record; a stale failed-gate report goes too.
        Files.Commit(order, [Model, ExternalData, FailedReport, .. All.Where(f => !order.Contains(f))]);
        return All.Where(order.Contains).ToList();
    }

    /// <summary>Replaces the old output set by the failed-gate report alone.</summary>
    public void CommitFailure() => Files.Commit([FailedReport], All);

    public void Dispose() => _files?.Dispose();

    private StagedFileSet Open()
    {
        try
        {
            Directory.CreateDirectory(Folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AmctException(ErrorCodes.OutputFolderInvalid, Folder,
                $"cannot create the output folder: {e.Message} Check that no part of the path is a file and that it is writable.", e);
        }
        return new StagedFileSet(Folder);
    }

    private static string Printable(string name) =>
        string.Concat(name.Select(c => c < ' ' ? $"\\u{(int)c:x4}" : c.ToString()));
}
