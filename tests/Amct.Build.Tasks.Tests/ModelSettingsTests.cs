using Amct.Build.Tasks.Settings;
using Amct.Engine.Settings;
using Amct.TestSupport;

namespace Amct.Build.Tasks.Tests;

[TestClass]
public sealed class ModelSettingsTests
{
    private static (ModelSettings Settings, List<Diagnostic> Problems) Resolve(string directory, params (string Name, string Value)[] metadata)
    {
        var values = metadata.ToDictionary(m => m.Name, m => m.Value);
        var problems = new List<Diagnostic>();
        var settings = ModelSettings.Resolve("Models/m.onnx", name => values.GetValueOrDefault(name, ""), directory,
            "/p/App.csproj", problems);
        return (settings, problems);
    }

    [TestMethod]
    [DataRow("Hfmg", "hfmg")]
    [DataRow("minmax", "minmax")]
    [DataRow("MINMAX", "minmax")]
    [DataRow("Entropy", "entropy")]
    public void Choices_ignore_case_and_take_the_workers_spelling(string text, string expected)
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("c.npy"), [1]);
        var (settings, problems) = Resolve(temp.Path, ("CalibrationData", "c.npy"), ("CalibrationMethod", text));
        Assert.IsEmpty(problems);
        Assert.AreEqual(expected, settings[SettingList.CalibrationMethod]);
    }

    [TestMethod]
    [DataRow("PerTensor")]
    [DataRow("per-tensor")]
    [DataRow("per_tensor")]
    public void Granularity_is_written_in_any_usual_way(string text)
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("c.npy"), [1]);
        var (settings, problems) = Resolve(temp.Path, ("CalibrationData", "c.npy"), ("WeightGranularity", text));
        Assert.IsEmpty(problems);
        Assert.AreEqual("per-tensor", settings[SettingList.WeightGranularity]);
    }

    [TestMethod]
    public void An_unknown_value_is_AMCT1201_at_the_project_file_listing_the_valid_values()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("c.npy"), [1]);
        var (_, problems) = Resolve(temp.Path, ("CalibrationData", "c.npy"), ("CalibrationMethod", "kl"));
        var problem = problems.Single();
        Assert.AreEqual("AMCT1201", problem.Code);
        Assert.AreEqual("/p/App.csproj", problem.File);
        StringAssert.Contains(problem.Message, "CalibrationMethod 'kl'");
        StringAssert.Contains(problem.Message, "AmctCalibrationMethod property");
        StringAssert.Contains(problem.Message, "Valid values: MinMax, Percentile, Ifmr, Hfmg, Entropy");
    }

    [TestMethod]
    [DataRow("SampleCount", "0", "AMCT1202")]
    [DataRow("SampleCount", "-5", "AMCT1202")]
    [DataRow("BatchSize", "many", "AMCT1202")]
    [DataRow("BatchSize", "99999999999", "AMCT1202")]
    [DataRow("Fusion", "yes", "AMCT1203")]
    [DataRow("Enabled", "1", "AMCT1203")]
    [DataRow("ActivationQuantization", "unsigned", "AMCT1201")]
    [DataRow("CopyToOutputDirectory", "Sometimes", "AMCT1201")]
    [DataRow("ConfigFile", "missing.json", "AMCT1207")]
    [DataRow("EvaluationData", "missing/", "AMCT1207")]
    public void Bad_values_get_their_code(string setting, string value, string code)
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("c.npy"), [1]);
        var (_, problems) = Resolve(temp.Path, ("CalibrationData", "c.npy"), (setting, value));
        Assert.AreEqual(code, problems.Single().Code, problems.Single().Message);
    }

    [TestMethod]
    public void Counts_lists_and_switches_are_parsed()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("c.npy"), [1]);
        var (settings, problems) = Resolve(temp.Path, ("CalibrationData", "c.npy"), ("SampleCount", "64"), ("BatchSize", "8"),
            ("SkipLayers", "conv1; fc2,fc3"), ("Fusion", "False"));
        Assert.IsEmpty(problems);
        Assert.AreEqual(64L, settings[SettingList.SampleCount]);
        Assert.AreEqual(8L, settings[SettingList.BatchSize]);
        CollectionAssert.AreEqual(new[] { "conv1", "fc2", "fc3" }, (string[])settings[SettingList.SkipLayers]!);
        Assert.IsFalse((bool)settings[SettingList.Fusion]!);
    }

    [TestMethod]
    public void Empty_values_are_unset_and_leave_the_engine_defaults()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("c.npy"), [1]);
        var (settings, problems) = Resolve(temp.Path, ("CalibrationData", "c.npy"), ("CalibrationMethod", "  "), ("SampleCount", ""));
        Assert.IsEmpty(problems);
        Assert.IsNull(settings[SettingList.CalibrationMethod]);
        Assert.IsNull(settings[SettingList.SampleCount]);
        Assert.IsTrue(settings.Enabled);
        Assert.IsTrue(settings.KeepFloatModel);
        Assert.AreEqual("PreserveNewest", settings.CopyToOutputDirectory);
    }

    [TestMethod]
    public void Calibration_data_that_matches_nothing_is_AMCT1205()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.File("empty"));
        foreach (var path in new[] { "nothing.npy", "empty", "calib/*.npy" })
        {
            var (_, problems) = Resolve(temp.Path, ("CalibrationData", path));
            Assert.AreEqual("AMCT1205", problems.Single().Code, path);
            StringAssert.Contains(problems.Single().Message, "CalibrationData", path);
        }
    }

    [TestMethod]
    public void A_folder_with_files_and_backslash_paths_are_calibration_data()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.File("calib"));
        File.WriteAllBytes(temp.File("calib/a.npy"), [1]);
        var (settings, problems) = Resolve(temp.Path, ("CalibrationData", "calib\\"));
        Assert.IsEmpty(problems);
        Assert.AreEqual(Path.GetFullPath(temp.File("calib")) + Path.DirectorySeparatorChar, settings.CalibrationData);
    }

    [TestMethod]
    public void No_calibration_data_is_AMCT1206_unless_a_record_or_a_QAT_import_gives_the_factors_or_the_model_is_disabled()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("r.txt"), "");
        Assert.AreEqual("AMCT1206", Resolve(temp.Path).Problems.Single().Code);
        Assert.IsEmpty(Resolve(temp.Path, ("RecordInput", "r.txt")).Problems);
        Assert.IsEmpty(Resolve(temp.Path, ("QatImport", "On")).Problems);
        Assert.AreEqual("AMCT1206", Resolve(temp.Path, ("QatImport", "Auto")).Problems.Single().Code);
        Assert.IsEmpty(Resolve(temp.Path, ("Enabled", "false")).Problems);
    }

    [TestMethod]
    public void The_canonical_text_holds_what_the_worker_uses_and_not_how_files_are_copied()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("c.npy"), [1]);
        var plain = Resolve(temp.Path, ("CalibrationData", "c.npy")).Settings.CanonicalText();
        var copiedDifferently = Resolve(temp.Path, ("CalibrationData", "c.npy"), ("CopyToOutputDirectory", "Always"),
            ("KeepFloatModel", "false")).Settings.CanonicalText();
        var otherMethod = Resolve(temp.Path, ("CalibrationData", "c.npy"), ("CalibrationMethod", "MinMax")).Settings.CanonicalText();
        Assert.AreEqual(plain, copiedDifferently);
        Assert.AreNotEqual(plain, otherMethod);
        StringAssert.Contains(otherMethod, "CalibrationMethod=minmax\n");
    }
}
