using Amct.TestSupport;

namespace Amct.Build.IntegrationTests;

/// <summary>The README's main command: the repository's sample, built from source (no pack step), run.</summary>
[TestClass]
public sealed class SampleTests
{
    [TestMethod]
    public void The_sample_builds_from_source_and_classifies_the_bundled_digits_with_its_int8_model()
    {
        var run = DotNet.Run(SharedData.RepositoryRoot, null, "run", "--project", Path.Combine("samples", "DigitsClassifier"),
            "-c", PackageFeed.Configuration, "-nr:false", "-p:UseSharedCompilation=false");
        Assert.AreEqual(0, run.ExitCode, run.ToString());
        StringAssert.Contains(run.Output, "int8 model: digits-cnn.int8.onnx");
        StringAssert.Contains(run.Output, "10 of 10 digits classified correctly by the int8 model.");
    }
}
