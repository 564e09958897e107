namespace Amct.TestSupport;

/// <summary>
/// Test categories. A test that needs anything the repository does not hold (the shared data beside it, a system
/// package, gigabytes of memory, a timing race) carries <see cref="OptIn"/> plus one suite category naming what it
/// needs. The default run (<c>dotnet test Amct.Build.sln</c>, filtered by tests/default.runsettings) leaves every
/// OptIn test out; <c>dotnet test &lt;project&gt; --filter TestCategory=&lt;suite&gt;</c> runs a suite, and .ci/run runs
/// them all. An opt-in test whose prerequisite is missing fails with what to install; it never skips.
/// </summary>
public static class TestCategories
{
    /// <summary>Left out of the default run.</summary>
    public const string OptIn = "OptIn";

    /// <summary>Reads ../shared/data beside the repository (SqueezeNet, the ImageNet photos).</summary>
    public const string SharedData = "SharedData";

    /// <summary>Runs the ONNX backend test suite (Debian package libonnx-testdata).</summary>
    public const string Conformance = "Conformance";

    /// <summary>Needs several GB of memory and disk (models past protobuf's 2 GB limit).</summary>
    public const string Large = "Large";

    /// <summary>Depends on timing between processes (e.g. cancelling a running worker).</summary>
    public const string Timing = "Timing";

    /// <summary>Generated hostile models, data files and command lines against the real CLI, in a fixed time box.</summary>
    public const string Fuzz = "Fuzz";

    /// <summary>Quantizes the ONNX backend suite and the published models in ../shared/models-real.</summary>
    public const string RealModels = "RealModels";

    /// <summary>
    /// Quantization-aware retraining (tests/Amct.Qat.Tests, outside Amct.Build.sln): restores and loads libtorch.
    /// </summary>
    public const string Qat = "Qat";

    /// <summary>Renders the HTML report in headless Chromium (Debian package chromium; .ci/run installs it).</summary>
    public const string Browser = "Browser";

    /// <summary>Compares outputs with a baseline CLI named by AMCT_BASELINE_CLI (a refactoring check; not run by CI).</summary>
    public const string Baseline = "Baseline";
}
