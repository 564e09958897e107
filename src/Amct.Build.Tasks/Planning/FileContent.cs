using System.IO;
using System.Text;

namespace Amct.Build.Tasks.Planning;

/// <summary>Writes small text files only when their content changes, so their time stamps mean "changed".</summary>
internal static class FileContent
{
    /// <returns>Whether the file was written.</returns>
    public static bool WriteIfChanged(string path, string content)
    {
        if (File.Exists(path) && File.ReadAllText(path, Encoding.UTF8) == content)
        {
            return false;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return true;
    }
}
