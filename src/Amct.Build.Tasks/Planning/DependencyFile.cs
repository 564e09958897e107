using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Amct.Build.Tasks.Planning;

/// <summary>
/// The files a model consists of (the .onnx file and its external data), as the worker reported after quantizing it.
/// The task cannot read ONNX itself (no Protobuf in MSBuild), so it keeps this list in obj/ and makes the files inputs
/// of the next build, the way compilers keep dependency files.
/// </summary>
internal static class DependencyFile
{
    public static IReadOnlyList<string> Read(string path)
    {
        try
        {
            return File.Exists(path)
                ? File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && Path.IsPathRooted(l)).ToList()
                : [];
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }

    public static void Write(string path, IEnumerable<string> files) =>
        FileContent.WriteIfChanged(path, string.Concat(files.Select(f => f + "\n")));
}
