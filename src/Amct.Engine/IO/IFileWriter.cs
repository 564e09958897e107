namespace Amct.Engine.IO;

/// <summary>
/// Where a writer (the model saver, the record and report writers) puts a file's bytes: straight into place
/// (<see cref="AtomicFile"/>), or staged with the other files of a set and moved into place together
/// (<see cref="StagedFileSet"/>).
/// </summary>
public interface IFileWriter
{
    void Write(string path, Action<Stream> writeContent);
}

/// <summary>Each file written on its own, atomically.</summary>
public sealed class AtomicFileWriter : IFileWriter
{
    public static AtomicFileWriter Instance { get; } = new();

    public void Write(string path, Action<Stream> writeContent) => AtomicFile.Write(path, writeContent);
}
