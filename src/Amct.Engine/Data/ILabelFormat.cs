namespace Amct.Engine.Data;

/// <summary>
/// One kind of labels file. <see cref="Labels"/> asks each registered format in turn whether it reads a path; a new
/// kind (CSV, ...) is one class implementing this and one line in <see cref="Labels.Formats"/>.
/// </summary>
public interface ILabelFormat
{
    /// <summary>What the format reads, for messages, e.g. "1-D .npy of int64 class indices".</summary>
    string Description { get; }

    /// <summary>Whether this format reads the file at <paramref name="path"/> (a full path that exists), by its name.</summary>
    bool CanRead(string path);

    /// <summary>
    /// All class indices in the file, in order. Errors (a file that does not hold class indices) are
    /// <see cref="AmctException"/>s naming the file; counts and signs are checked by <see cref="Labels.Read"/>.
    /// </summary>
    long[] Read(string path);
}
