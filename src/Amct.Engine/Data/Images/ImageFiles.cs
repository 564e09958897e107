namespace Amct.Engine.Data.Images;

/// <summary>An image of a data set: its full path and its name (path relative to the data folder, '/' separated).</summary>
internal sealed record ImageFile(string Path, string Name);

/// <summary>
/// The images a data path holds, in a fixed order: a single image file; every image in a folder and its sub-folders
/// (sub-folders may be classes); or every image a pattern matches. Ordered by name, ordinal, so every machine reads
/// them in the same order. Files in image formats amct does not read (GIF, WebP, ...) are listed too, so opening
/// them is an error that says so instead of silently leaving them out.
/// </summary>
internal static class ImageFiles
{
    private static readonly string[] Supported = [".jpg", ".jpeg", ".jpe", ".png", ".bmp"];

    private static readonly string[] OtherImages = [".gif", ".webp", ".tif", ".tiff", ".heic", ".heif", ".avif", ".ico", ".jp2", ".jxl"];

    /// <summary>A JPEG, PNG or BMP name.</summary>
    public static bool IsSupported(string path) => HasExtension(path, Supported);

    /// <summary>Any image name, read or not.</summary>
    public static bool IsImage(string path) => IsSupported(path) || HasExtension(path, OtherImages);

    /// <summary>Whether the path (an existing file or folder, or a pattern) holds an image amct reads.</summary>
    public static bool Holds(string path)
    {
        if (File.Exists(path))
        {
            return IsImage(path);
        }
        if (Directory.Exists(path))
        {
            return Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Any(IsSupported);
        }
        return FileGlob.IsPattern(path) && FileGlob.Expand(path).Files.Any(IsSupported);
    }

    public static IReadOnlyList<ImageFile> List(string path)
    {
        if (File.Exists(path))
        {
            return [new ImageFile(path, System.IO.Path.GetFileName(path))];
        }
        var (folder, files) = Directory.Exists(path)
            ? (path, Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
            : FileGlob.Expand(path);
        return files
            .Where(IsImage)
            .Select(file => new ImageFile(file, FileGlob.RelativeName(folder, file)))
            .OrderBy(file => file.Name, StringComparer.Ordinal)
            .ToList();
    }

    private static bool HasExtension(string path, string[] extensions) =>
        extensions.Contains(System.IO.Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);
}
