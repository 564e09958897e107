using System.Runtime.InteropServices;

namespace Amct.Engine.IO;

/// <summary>
/// Writes several files of one folder as a unit: each is written in full to a hidden temporary file beside its target
/// (<see cref="Write"/>); only when all are complete does <see cref="Commit"/> remove the files the set replaces and
/// rename the new ones into place, in the order the caller gives (so a reader never sees one file without the ones
/// it depends on). Until then no target is touched. Disposing the set removes every temporary file not yet committed;
/// so does an interrupt or termination signal while the set is open, and the next set in the folder removes what a
/// killed process left. Targets that are folders or special files are errors, checked before anything is written.
/// </summary>
public sealed class StagedFileSet : IFileWriter, IDisposable
{
    private static readonly PosixSignal[] TerminationSignals =
        [PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT];

    private readonly object _gate = new();
    private readonly Dictionary<string, (string Temp, long Length)> _staged = new(StringComparer.Ordinal);
    private readonly List<PosixSignalRegistration> _signals = [];
    private bool _aborted;

    /// <param name="folder">The folder every file of the set is in.</param>
    public StagedFileSet(string folder)
    {
        Folder = Path.GetFullPath(folder);
        AtomicFile.RemoveLeftovers(Folder);
        foreach (var signal in TerminationSignals)
        {
            try
            {
                _signals.Add(PosixSignalRegistration.Create(signal, _ => Abort()));
            }
            catch (PlatformNotSupportedException)
            {
                // Not every platform has every signal; disposal still cleans up on every other exit path.
            }
        }
    }

    public string Folder { get; }

    /// <summary>The targets written so far.</summary>
    public IReadOnlyCollection<string> Staged
    {
        get
        {
            lock (_gate)
            {
                return _staged.Keys.ToList();
            }
        }
    }

    /// <summary>Writes <paramref name="path"/>'s content to its temporary file. Writing a path again replaces it.</summary>
    public void Write(string path, Action<Stream> writeContent)
    {
        var fullPath = Target(path);
        var temp = AtomicFile.TempPathFor(fullPath);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_aborted, this);
            if (_staged.Remove(fullPath, out var previous))
            {
                AtomicFile.TryDelete(previous.Temp);
            }
            // Registered before it exists, so an abort during the write removes it too.
            _staged[fullPath] = (temp, 0);
        }
        long length;
        try
        {
            length = AtomicFile.WriteTemp(fullPath, temp, writeContent);
        }
        catch
        {
            lock (_gate)
            {
                _staged.Remove(fullPath);
            }
            AtomicFile.TryDelete(temp);
            throw;
        }
        lock (_gate)
        {
            if (_aborted)
            {
                // Aborted while writing: the file may have been created after the abort looked for it.
                AtomicFile.TryDelete(temp);
                throw new ObjectDisposedException(nameof(StagedFileSet));
            }
            _staged[fullPath] = (temp, length);
        }
    }

    public void WriteAllBytes(string path, ReadOnlyMemory<byte> bytes) => Write(path, stream => stream.Write(bytes.Span));

    /// <summary>The size of a staged file.</summary>
    public long LengthOf(string path)
    {
        lock (_gate)
        {
            return _staged[Target(path)].Length;
        }
    }

    /// <summary>
    /// Removes <paramref name="remove"/> (files of the old set, including old versions of staged files that must not be
    /// seen next to the new ones), then renames the staged files into place in the order of <paramref name="order"/>,
    /// which must name each staged file once.
    /// </summary>
    public void Commit(IReadOnlyList<string> order, IEnumerable<string> remove)
    {
        var targets = order.Select(Target).ToList();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_aborted, this);
            if (targets.Count != _staged.Count || targets.Distinct(StringComparer.Ordinal).Count() != targets.Count ||
                !targets.All(_staged.ContainsKey))
            {
                throw new InvalidOperationException("the commit order must name every staged file once");
            }
            foreach (var target in targets)
            {
                AtomicFile.CheckReplaceable(target);
            }
            foreach (var stale in remove.Select(Target))
            {
                Delete(stale);
            }
            foreach (var target in targets)
            {
                AtomicFile.MoveIntoPlace(_staged[target].Temp, target);
                _staged.Remove(target);
            }
        }
    }

    /// <summary>Removes a file of the set's folder (a regular file or a link; anything else is an error).</summary>
    public void Delete(string path)
    {
        var fullPath = Target(path);
        var kind = EntryKinds.Of(fullPath);
        if (kind == EntryKind.Missing)
        {
            return;
        }
        if (!EntryKinds.IsReplaceable(kind))
        {
            throw EntryKinds.NotReplaceable(fullPath, kind);
        }
        try
        {
            File.Delete(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AmctException(ErrorCodes.WriteFailed, fullPath,
                $"cannot remove the old output: {e.Message} Check that the folder is writable.", e);
        }
    }

    /// <summary>Removes every temporary file not committed; later writes and commits fail.</summary>
    public void Abort()
    {
        lock (_gate)
        {
            _aborted = true;
            foreach (var (temp, _) in _staged.Values)
            {
                AtomicFile.TryDelete(temp);
            }
            _staged.Clear();
        }
    }

    public void Dispose()
    {
        foreach (var registration in _signals)
        {
            registration.Dispose();
        }
        _signals.Clear();
        Abort();
    }

    private string Target(string path)
    {
        var fullPath = Path.GetFullPath(path);
        if (!string.Equals(Path.GetDirectoryName(fullPath), Path.TrimEndingDirectorySeparator(Folder), StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{path}' is not a file of the folder {Folder}", nameof(path));
        }
        return fullPath;
    }
}
