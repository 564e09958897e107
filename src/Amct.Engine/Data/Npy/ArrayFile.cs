namespace Amct.Engine.Data.Npy;

/// <summary>The arrays of one .npy file (one array) or .npz file (one per entry), headers read, data not yet.</summary>
internal sealed record ArrayFile(string Path, IReadOnlyList<RowArray> Arrays)
{
    public static bool IsNpy(string path) => path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase);

    public static bool IsNpz(string path) => path.EndsWith(".npz", StringComparison.OrdinalIgnoreCase);

    /// <summary>Opens an .npy or .npz file (a full path) and reads the header of every array in it.</summary>
    public static ArrayFile Open(string path) =>
        IsNpz(path) ? new ArrayFile(path, NpzEntryArray.OpenAll(path)) : new ArrayFile(path, [NpyFileArray.Open(path)]);
}
