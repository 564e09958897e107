using Amct.TestSupport;

namespace Amct.Build.IntegrationTests;

/// <summary>
/// A consumer project of the package, generated in a folder of its own under <see cref="PackageFeed.ProjectsRoot"/>:
/// a project file that references Amct.Build from the test feed and declares AmctModel items, with the sample's
/// digits model and calibration data copied in.
/// </summary>
internal sealed class Consumer
{
    private Consumer(string directory, string name)
    {
        Directory = directory;
        Name = name;
    }

    public string Directory { get; }
    public string Name { get; }
    public string ProjectFile => System.IO.Path.Combine(Directory, Name + ".csproj");

    /// <summary>
    /// Creates the project. <paramref name="body"/> goes inside &lt;Project&gt; after a PropertyGroup with the target
    /// framework(s) and the package reference; <paramref name="models"/> names the digits models to copy in as
    /// Models/&lt;name&gt;.onnx with calibration data Data/&lt;name&gt;-calib.npy.
    /// </summary>
    public static Consumer Create(string name, string body, string targetFrameworks = "net10.0", params string[] models)
    {
        var directory = System.IO.Directory.CreateDirectory(System.IO.Path.Combine(PackageFeed.ProjectsRoot, name + "-" + Guid.NewGuid().ToString("N")[..6])).FullName;
        var consumer = new Consumer(directory, name);
        foreach (var model in models)
        {
            consumer.Copy("Models/digits-cnn.onnx", $"Models/{model}.onnx");
            consumer.Copy("Data/calib.npy", $"Data/{model}-calib.npy");
        }
        var frameworks = targetFrameworks.Contains(';', StringComparison.Ordinal)
            ? $"<TargetFrameworks>{targetFrameworks}</TargetFrameworks>"
            : $"<TargetFramework>{targetFrameworks}</TargetFramework>";
        File.WriteAllText(consumer.ProjectFile, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                {frameworks}
                <!-- The SDK's own reference packs are all these tests need; no app host download. -->
                <UseAppHost>false</UseAppHost>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Amct.Build" Version="{PackageFeed.Version}" PrivateAssets="all" />
              </ItemGroup>
            {body}
            </Project>
            """);
        return consumer;
    }

    /// <summary>An AmctModel item for a model <see cref="Create"/> copied in, with extra attributes.</summary>
    public static string Model(string model, string attributes = "") =>
        $"""  <ItemGroup><AmctModel Include="Models/{model}.onnx" CalibrationData="Data/{model}-calib.npy" SampleCount="64" {attributes} /></ItemGroup>""";

    public string Copy(string sampleRelative, string relative)
    {
        var target = Path(relative);
        System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        File.Copy(System.IO.Path.Combine(SharedData.RepositoryRoot, "samples", "DigitsClassifier", sampleRelative), target, overwrite: true);
        return target;
    }

    /// <summary>MSBuild's "(line,col)" of the first <paramref name="text"/> in the project file.</summary>
    public string PositionOf(string text)
    {
        var lines = File.ReadAllLines(ProjectFile);
        var line = Array.FindIndex(lines, l => l.Contains(text, StringComparison.Ordinal));
        Assert.IsGreaterThanOrEqualTo(0, line, $"'{text}' is not in {ProjectFile}");
        return $"({line + 1},{lines[line].IndexOf(text, StringComparison.Ordinal) + 1})";
    }

    public string Path(string relative) => System.IO.Path.GetFullPath(System.IO.Path.Combine(Directory, relative));

    /// <summary>Runs a dotnet command on the project (normal verbosity, so skipped targets show in the log).</summary>
    public CommandResult Run(string command, params string[] args) =>
        DotNet.Run(Directory, PackageFeed.Environment, [command, ProjectFile, "-nr:false", "-v:n", .. args]);

    public CommandResult Build(params string[] args)
    {
        var result = Run("build", args);
        Assert.AreEqual(0, result.ExitCode, $"the build failed:\n{result}");
        return result;
    }

    /// <summary>Runs a build that must fail, and returns its output.</summary>
    public CommandResult FailingBuild(params string[] args)
    {
        var result = Run("build", args);
        Assert.AreNotEqual(0, result.ExitCode, $"the build should have failed:\n{result}");
        return result;
    }

    /// <summary>The obj/ output of a model: &lt;name&gt;.int8.onnx, .record.txt or .quant.json.</summary>
    public string Intermediate(string file, string framework = "net10.0", string configuration = "Debug") =>
        Path($"obj/{configuration}/{framework}/amct/Models/{file}");

    public string Output(string file, string framework = "net10.0", string configuration = "Debug") =>
        Path($"bin/{configuration}/{framework}/Models/{file}");
}
