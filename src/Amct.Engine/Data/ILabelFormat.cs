namespace Amct.Engine.Data;

/// <summary>
/// One kind of labels file. <see cref="Labels"/> asks each registered format in turn whether it reads a path; a new
/// kind is one class implementing this and one line in <see cref="Labels.Formats"/>.
/// </summary>
public interface ILabelFormat
{
    /// <summary>What the format reads, for messages, e.g. "1-D .npy of int64 class indices".</summary>
    string Description { get; }

    /// <summary>Whether this format reads the file at <paramref name="path"/> (a full path that exists), by its name.</summary>
    bool CanRead(string path);

    /// <summary>
    /// True when the file names the sample each label belongs to (a CSV of file names, a class list for class
    /// folders), so <see cref="Read"/> needs the samples' names; false when label k belongs to sample k.
    /// </summary>
    bool MatchesByName { get; }

    /// <summary>
    /// The class indices. A positional format (<see cref="MatchesByName"/> false) returns every label in the file,
    /// in order, and is given no names. A format that matches by name returns one label per name of
    /// <paramref name="sampleNames"/>, in that order, and fails for a sample without a label or a label without a
    /// sample. Errors are <see cref="AmctException"/>s naming the file; counts and signs are checked by
    /// <see cref="Labels"/>.
    /// </summary>
    long[] Read(string path, IReadOnlyList<string>? sampleNames);
}
