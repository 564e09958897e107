using System.Text.RegularExpressions;
using Amct.TestSupport;

namespace Amct.Build.IntegrationTests;

/// <summary>
/// The README's "A minimal project", literally: its project file and Program.cs, taken from the README, built and run
/// against the packed package with the digits model as Models/classifier.onnx. Only the package version is replaced
/// (the test feed's is unique per run).
/// </summary>
[TestClass]
public sealed partial class ReadmeQuickStartTests
{
    [TestMethod]
    public void The_minimal_project_in_the_readme_builds_and_runs_as_written()
    {
        var readme = File.ReadAllText(Path.Combine(SharedData.RepositoryRoot, "README.md"));
        var section = readme[readme.IndexOf("### A minimal project", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n### ", 5, StringComparison.Ordinal)];
        var project = CodeBlock(section, "xml");
        var program = CodeBlock(section, "csharp");
        StringAssert.Contains(project, """<PackageReference Include="Amct.Build" Version="0.1.0" PrivateAssets="all" />""");

        var consumer = Consumer.Create("QuickStart", "", models: []);
        File.WriteAllText(consumer.ProjectFile, project.Replace("""Include="Amct.Build" Version="0.1.0" """,
            $"""Include="Amct.Build" Version="{PackageFeed.Version}" """, StringComparison.Ordinal));
        File.WriteAllText(consumer.Path("Program.cs"), program);
        consumer.Copy("Models/digits-cnn.onnx", "Models/classifier.onnx");
        consumer.Copy("Data/calib.npy", "Data/calibration/calib.npy");

        var run = DotNet.Run(consumer.Directory, PackageFeed.Environment, "run", "--project", consumer.ProjectFile, "-nr:false");
        Assert.AreEqual(0, run.ExitCode, run.ToString());
        StringAssert.Contains(run.Output, "int8 model loaded; inputs: input");
        Assert.IsTrue(File.Exists(consumer.Path("bin/Debug/net8.0/Models/classifier.int8.onnx")), run.ToString());
    }

    private static string CodeBlock(string markdown, string language)
    {
        var match = Fence().Matches(markdown).FirstOrDefault(m => m.Groups["lang"].Value == language);
        Assert.IsNotNull(match, $"no ```{language} block in the README's minimal project");
        return match.Groups["code"].Value;
    }

    [GeneratedRegex(@"```(?<lang>\w+)\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex Fence();
}
