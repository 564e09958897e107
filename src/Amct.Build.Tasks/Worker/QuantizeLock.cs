using System;
using System.IO;
using System.Threading;
using Microsoft.Build.Framework;

namespace Amct.Build.Tasks.Worker;

/// <summary>
/// One quantization at a time per amct folder, across processes. A multi-targeted project's inner builds share one
/// amct folder (the int8 model does not depend on the target framework) and MSBuild builds them in parallel: in
/// separate nodes, or in one node while the first yields to the worker. The second waits here and then finds its
/// models up to date, so each model is quantized once. The lock is an exclusively opened file (FileShare.None, which
/// .NET maps to an advisory lock on Unix), released when the task ends, also when its process dies.
/// </summary>
internal sealed class QuantizeLock : IDisposable
{
    public const string FileName = "amct.lock";

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    private readonly FileStream _file;

    private QuantizeLock(FileStream file) => _file = file;

    /// <summary>
    /// Takes the lock of <paramref name="directory"/>, waiting while another build holds it; null if cancelled first.
    /// While it waits the task yields its node (<see cref="IBuildEngine3.Yield"/>): the build holding the lock may be
    /// a yielded task of the same node, which needs the node back to finish.
    /// </summary>
    public static QuantizeLock? Acquire(string directory, IBuildEngine engine, Func<bool> cancelled, Action waiting)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        if (TryOpen(path) is { } first)
        {
            return new QuantizeLock(first);
        }
        waiting();
        var yielding = engine as IBuildEngine3;
        yielding?.Yield();
        try
        {
            while (!cancelled())
            {
                Thread.Sleep(Poll);
                if (TryOpen(path) is { } file)
                {
                    return new QuantizeLock(file);
                }
            }
            return null;
        }
        finally
        {
            yielding?.Reacquire();
        }
    }

    private static FileStream? TryOpen(string path)
    {
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null; // held by another build (a sharing violation, or the advisory lock on Unix)
        }
    }

    public void Dispose() => _file.Dispose();
}
