namespace Amct.Build.IntegrationTests;

/// <summary>Bad settings, inputs and environments: each fails the build with its documented code at the right file.</summary>
[TestClass]
public sealed class BadInputTests
{
    private static Consumer _app = null!;

    [ClassInitialize]
    public static void CreateConsumer(TestContext context)
    {
        _ = context;
        _app = Consumer.Create("Bad", """
              <PropertyGroup>
                <TestModel Condition="'$(TestModel)' == ''">Models/digits.onnx</TestModel>
                <TestCalibration Condition="'$(TestCalibration)' == ''">Data/digits-calib.npy</TestCalibration>
              </PropertyGroup>
              <ItemGroup><AmctModel Include="$(TestModel)" CalibrationData="$(TestCalibration)" SampleCount="32" /></ItemGroup>
            """, models: ["digits"]);
        var restore = _app.Run("restore");
        Assert.AreEqual(0, restore.ExitCode, restore.ToString());
    }

    /// <summary>
    /// An error at the project file: at the item (a setting from the command line) or its metadata; errors about the
    /// worker (<paramref name="at"/> null) concern no item and have no position.
    /// </summary>
    private static string ErrorAtProject(string code, string? at = "<AmctModel") =>
        at is null ? $"{_app.ProjectFile} : error {code}: " : $"{_app.ProjectFile}{_app.PositionOf(at)}: error {code}: ";

    [TestMethod]
    public void An_unknown_enum_value_is_AMCT1201_at_the_project_file_listing_the_valid_values()
    {
        var build = _app.FailingBuild("--no-restore", "-p:AmctCalibrationMethod=Kl");
        StringAssert.Contains(build.Output, ErrorAtProject("AMCT1201"));
        StringAssert.Contains(build.Output, "Valid values: MinMax, Percentile, Ifmr, Hfmg, Entropy, Auto.");
    }

    [TestMethod]
    public void A_threshold_that_is_not_a_number_is_AMCT1210_at_the_project_file()
    {
        var build = _app.FailingBuild("--no-restore", "-p:AmctMinCosineSimilarity=high");
        StringAssert.Contains(build.Output, ErrorAtProject("AMCT1210"));
        StringAssert.Contains(build.Output, "between 0 and 1");
    }

    [TestMethod]
    public void A_missed_accuracy_threshold_fails_the_build_at_the_model_and_removes_the_int8_model_an_earlier_build_copied_to_bin()
    {
        // First a build that ships an int8 model to bin/ (the miss is only a warning), then the same gate as an error.
        var warned = _app.Build("--no-restore", "-p:AmctMinSqnrDb=90", "-p:AmctAutoFallback=false", "-p:AmctAccuracyFailureIsWarning=true");
        StringAssert.Contains(warned.Output, "warning AMCT4006");
        Assert.IsTrue(File.Exists(_app.Output("digits.int8.onnx")), warned.ToString());

        string[] strict = ["--no-restore", "-p:AmctMinSqnrDb=90", "-p:AmctAutoFallback=false"];
        var build = _app.FailingBuild(strict);
        StringAssert.Contains(build.Output, $"{_app.Path("Models/digits.onnx")} : error AMCT4006: ");
        StringAssert.Contains(build.Output, "below MinSqnrDb 90.00 dB");
        Assert.IsEmpty(Directory.EnumerateFiles(_app.Directory, "*.int8.onnx", SearchOption.AllDirectories).ToList(),
            "a failed gate leaves no int8 model: none a later build could take as up to date, none in bin/ the app would run");
        var again = _app.FailingBuild(strict);
        StringAssert.Contains(again.Output, "error AMCT4006");
    }

    [TestMethod]
    public void A_model_that_does_not_exist_is_AMCT1204_at_the_project_file()
    {
        var build = _app.FailingBuild("--no-restore", "-p:TestModel=Models/missing.onnx");
        StringAssert.Contains(build.Output, ErrorAtProject("AMCT1204"));
        StringAssert.Contains(build.Output, _app.Path("Models/missing.onnx"));
    }

    [TestMethod]
    public void Calibration_data_that_matches_nothing_is_AMCT1205_at_the_project_file()
    {
        var build = _app.FailingBuild("--no-restore", "-p:TestCalibration=Data/none/");
        StringAssert.Contains(build.Output, ErrorAtProject("AMCT1205", "CalibrationData="));
    }

    [TestMethod]
    public void A_missing_worker_is_AMCT5101()
    {
        var build = _app.FailingBuild("--no-restore", $"-p:AmctWorkerPath={_app.Path("nowhere/amct.dll")}");
        StringAssert.Contains(build.Output, ErrorAtProject("AMCT5101", at: null));
    }

    [TestMethod]
    public void A_crashing_worker_is_AMCT5103_with_its_exit_code_and_last_lines()
    {
        var fake = _app.Path("broken/amct.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(fake)!);
        File.WriteAllText(fake, "not an assembly");
        var build = _app.FailingBuild("--no-restore", $"-p:AmctWorkerPath={fake}");
        StringAssert.Contains(build.Output, ErrorAtProject("AMCT5103", at: null));
        StringAssert.Contains(build.Output, "failed with exit code");
        StringAssert.Contains(build.Output, "Its last lines:");
    }

    [TestMethod]
    public void No_dotnet_8_runtime_for_the_worker_is_AMCT5104()
    {
        // Forbidding roll-forward leaves the .NET 8 worker without a runtime on a machine that has only newer ones.
        var build = _app.FailingBuild("--no-restore", "-p:AmctWorkerEnvironment=DOTNET_ROLL_FORWARD=Disable");
        StringAssert.Contains(build.Output, ErrorAtProject("AMCT5104", at: null));
    }

    [TestMethod]
    public void A_bad_model_file_is_the_engines_error_at_the_model()
    {
        var bad = _app.Path("Models/garbage.onnx");
        File.WriteAllBytes(bad, [0x0A, 0xFF, 0xFF, 0xFF, 0x0F, 1, 2]);
        var build = _app.FailingBuild("--no-restore", "-p:TestModel=Models/garbage.onnx");
        StringAssert.Contains(build.Output, $"{bad} : error AMCT2003: ");
        Assert.IsFalse(File.Exists(_app.Intermediate("garbage.int8.onnx")));
    }

    [TestMethod]
    public void A_design_time_build_does_not_quantize()
    {
        var build = _app.Run("msbuild", "-t:AssignTargetPaths", "-p:DesignTimeBuild=true");
        Assert.AreEqual(0, build.ExitCode, build.ToString());
        Assert.IsFalse(File.Exists(_app.Intermediate("digits.int8.onnx")), build.ToString());
        Assert.DoesNotContain("amct.dll job", build.Output);
    }
}
