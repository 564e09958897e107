using System.Runtime.InteropServices;

namespace Amct.Engine.IO;

/// <summary>What a directory entry is, as far as replacing it by renaming a file over it is concerned.</summary>
public enum EntryKind
{
    Missing,
    RegularFile,

    /// <summary>A symbolic link: renaming over it replaces the link, never what it points to.</summary>
    SymbolicLink,
    Directory,

    /// <summary>A device, FIFO or socket: never replaced, and never opened (opening a FIFO blocks).</summary>
    Special,
}

/// <summary>
/// Tells a regular file from a folder, device node, FIFO or socket without opening it and without following a final
/// symbolic link. .NET does not expose the file type, so on Linux it asks the kernel (statx); elsewhere only folders
/// are told apart (Windows has no device nodes or FIFOs in folders).
/// </summary>
public static class EntryKinds
{
    public static EntryKind Of(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            return EntryKind.SymbolicLink;
        }
        if (Directory.Exists(path))
        {
            return EntryKind.Directory;
        }
        if (!info.Exists)
        {
            return EntryKind.Missing;
        }
        return OperatingSystem.IsLinux() && LinuxFileType.IsSpecial(path) ? EntryKind.Special : EntryKind.RegularFile;
    }

    /// <summary>True for entries a write may replace: none yet, a regular file, or a symbolic link.</summary>
    public static bool IsReplaceable(EntryKind kind) => kind is EntryKind.Missing or EntryKind.RegularFile or EntryKind.SymbolicLink;

    /// <summary>The coded error for an output path that is a folder or a special file.</summary>
    public static AmctException NotReplaceable(string path, EntryKind kind) =>
        new(ErrorCodes.OutputNotRegularFile, path,
            $"the output path exists and is {(kind == EntryKind.Directory ? "a folder" : "not a regular file (a device, FIFO or socket)")}; " +
            "it is never replaced. Remove it, or choose another output folder or name.");
}

/// <summary>The file type from statx(2): its layout is the same on every Linux architecture.</summary>
internal static class LinuxFileType
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int ModeOffset = 28; // stx_mask u32, stx_blksize u32, stx_attributes u64, stx_nlink u32, stx_uid u32, stx_gid u32
    private const int TypeMask = 0xF000;
    private const int RegularFile = 0x8000;
    private const int Directory = 0x4000;
    private const int SymbolicLink = 0xA000;

    public static bool IsSpecial(string path)
    {
        var buffer = new byte[256];
        try
        {
            var name = System.Text.Encoding.UTF8.GetBytes(path + "\0");
            if (statx(AtFdCwd, name, AtSymlinkNoFollow, StatxType, buffer) != 0)
            {
                // Gone meanwhile, or statx refused (an old kernel or a strict container): let the write decide.
                return false;
            }
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
        var type = BitConverter.ToUInt16(buffer, ModeOffset) & TypeMask;
        return type is not (RegularFile or Directory or SymbolicLink);
    }

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code in the engine for one call. The path is NUL-terminated UTF-8.
    private static extern int statx(int dirfd, byte[] path, int flags, uint mask, [Out] byte[] buffer);
#pragma warning restore SYSLIB1054
}
