using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Amct.Engine.IO;

/// <summary>
/// Opens a file the user gave us (a model, its external data, calibration or evaluation data, labels, a config or a
/// record) for reading. Only regular files are opened: a FIFO blocks the open until something writes to it, and a
/// device (/dev/zero) or socket never ends or cannot be read, so they are refused before any open, with one coded
/// error (<see cref="ErrorCodes.InputNotRegularFile"/>) whatever the caller. Missing files and folders are left to
/// the open, so each caller keeps its own "not found" wording.
/// </summary>
public static class UserFile
{
    public static FileStream OpenRead(string path, int bufferSize = 4096)
    {
        EnsureRegular(path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize);
    }

    public static SafeFileHandle OpenHandle(string path)
    {
        EnsureRegular(path);
        return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
    }

    public static byte[] ReadAllBytes(string path)
    {
        EnsureRegular(path);
        return File.ReadAllBytes(path);
    }

    public static string ReadAllText(string path, Encoding encoding)
    {
        EnsureRegular(path);
        return File.ReadAllText(path, encoding);
    }

    public static string[] ReadAllLines(string path, Encoding encoding)
    {
        EnsureRegular(path);
        return File.ReadAllLines(path, encoding);
    }

    /// <summary>Throws when <paramref name="path"/> exists and is neither a regular file nor a folder.</summary>
    public static void EnsureRegular(string path)
    {
        var kind = FileKinds.Of(path);
        var what = kind switch
        {
            FileKind.NamedPipe => "a named pipe (FIFO)",
            FileKind.CharacterDevice => "a character device",
            FileKind.BlockDevice => "a block device",
            FileKind.Socket => "a socket",
            FileKind.Other => "not a regular file",
            _ => null,
        };
        if (what is not null)
        {
            throw new AmctException(ErrorCodes.InputNotRegularFile, Path.GetFullPath(path),
                $"the file is {what}, not a regular file. amct reads only regular files (a pipe or device can block " +
                "or never end); copy the content into a file and give that file's path.");
        }
    }
}
