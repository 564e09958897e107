using System.Runtime.InteropServices;

namespace Amct.Engine.IO;

/// <summary>What a path names, as the file system sees it after following symbolic links.</summary>
public enum FileKind
{
    Missing,
    Regular,
    Directory,
    NamedPipe,
    CharacterDevice,
    BlockDevice,
    Socket,
    Other,
}

/// <summary>
/// Tells a regular file from a FIFO, device or socket without opening it. .NET does not expose the file type (its
/// attributes only say "directory" or not), and opening a FIFO for reading blocks until a writer appears, so the type
/// is read with stat: statx on Linux (its buffer layout is the same on every architecture), stat on macOS (st_mode
/// sits at the same offset on arm64 and x64). Windows has no such files in its file system.
/// </summary>
public static partial class FileKinds
{
    private const int StatBufferBytes = 512;
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const int StatxModeOffset = 28;
    private const int DarwinModeOffset = 4;

    public static FileKind Of(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            var mode = UnixMode(path);
            if (mode is { } m)
            {
                return FromMode(m);
            }
        }
        return File.Exists(path) ? FileKind.Regular : Directory.Exists(path) ? FileKind.Directory : FileKind.Missing;
    }

    /// <summary>The POSIX st_mode of the path, or null when stat is not available or failed for another reason than absence.</summary>
    private static int? UnixMode(string path)
    {
        var buffer = new byte[StatBufferBytes];
        int result;
        try
        {
            result = OperatingSystem.IsLinux()
                ? Statx(AtFdCwd, path, 0, StatxType, buffer)
                : RuntimeInformation.ProcessArchitecture == Architecture.X64 ? StatDarwinX64(path, buffer) : StatDarwin(path, buffer);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return null; // An old C library without statx: fall back to what .NET can tell.
        }
        if (result != 0)
        {
            return File.Exists(path) || Directory.Exists(path) ? null : 0;
        }
        var offset = OperatingSystem.IsLinux() ? StatxModeOffset : DarwinModeOffset;
        return BitConverter.ToUInt16(buffer, offset);
    }

    private static FileKind FromMode(int mode) => (mode & 0xF000) switch
    {
        0 => FileKind.Missing,
        0x8000 => FileKind.Regular,
        0x4000 => FileKind.Directory,
        0x1000 => FileKind.NamedPipe,
        0x2000 => FileKind.CharacterDevice,
        0x6000 => FileKind.BlockDevice,
        0xC000 => FileKind.Socket,
        _ => FileKind.Other,
    };

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, [Out] byte[] buffer);

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatDarwin(string path, [Out] byte[] buffer);

    [LibraryImport("libc", EntryPoint = "stat$INODE64", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatDarwinX64(string path, [Out] byte[] buffer);
}
