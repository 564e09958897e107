using Amct.TestSupport;

namespace Amct.Build.IntegrationTests;

/// <summary>
/// Image preprocessing as AmctModel metadata: the build passes Resize, Mean, Std… to the worker as the command line's
/// flags would, so both make the same int8 model; a bad value is a coded error naming the metadata at its line.
/// </summary>
[TestClass]
public sealed class PreprocessingSettingsTests
{
    // Digits rendered at 16 x 16 (each pixel twice, 0-16 times 15), resized back to 8 x 8 and scaled to about 0-1.
    private const string Metadata = """Color="gray" Resize="8x8" Interpolation="bilinear" Scale="1/255" Mean="0.05" Std="0.9" """;

    private static readonly string[] Flags =
        ["--color", "gray", "--resize", "8x8", "--interpolation", "bilinear", "--scale", "1/255", "--mean", "0.05", "--std", "0.9"];

    // Byte-for-byte comparisons need the same layer choice each time: no float islands chosen by a timing.
    private const string Common = """OptimizeFor="Size" QualityFloor="false" MeasureLatency="false" """;

    private static readonly string[] CommonFlags = ["--optimize-for", "size", "--no-quality-floor", "--no-measure-latency"];

    [TestMethod]
    public void Metadata_make_the_same_int8_model_as_the_command_line_flags()
    {
        var app = Consumer.Create("Images", $"""
              <ItemGroup>
                <AmctModel Include="Models/digits.onnx" CalibrationData="Photos" {Metadata} {Common} />
              </ItemGroup>
            """);
        app.Copy("Models/digits-cnn.onnx", "Models/digits.onnx");
        WritePhotos(app.Path("Photos"));

        var build = app.Build();
        StringAssert.Contains(build.Output, "Amct: digits.onnx -> digits.int8.onnx", build.ToString());

        var cliOutput = Directory.CreateDirectory(app.Path("cli")).FullName;
        var worker = Path.Combine(PackageFeed.PackagesDirectory, "amct.build", PackageFeed.Version, "tools", "net8.0", "amct.dll");
        var cli = DotNet.Run(app.Directory, null, ["exec", worker, "quantize", app.Path("Models/digits.onnx"),
            "--calibration-data", app.Path("Photos"), "--output-dir", cliOutput, .. Flags, .. CommonFlags]);
        Assert.AreEqual(0, cli.ExitCode, cli.ToString());

        CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(cliOutput, "digits.int8.onnx")),
            File.ReadAllBytes(app.Output("digits.int8.onnx")), "the build's int8 model differs from the command line's");
        CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(cliOutput, "digits.record.txt")),
            File.ReadAllBytes(app.Intermediate("digits.record.txt")));
    }

    [TestMethod]
    public void A_bad_value_names_the_metadata_at_its_line_and_settings_arrays_ignore_warn()
    {
        var app = Consumer.Create("BadResize", $"""
              <ItemGroup>
                <AmctModel Include="Models/a.onnx" CalibrationData="Data/a-calib.npy" Resize="320x" />
                <AmctModel Include="Models/b.onnx" CalibrationData="Data/b-calib.npy" Mean="0.5" {Common} />
              </ItemGroup>
            """, models: ["a", "b"]);

        var build = app.FailingBuild();

        StringAssert.Contains(build.Output, $"{app.ProjectFile}{app.PositionOf("Resize=")}: error AMCT3030: AmctModel 'Models/a.onnx': " +
            "Resize: '320x' is not valid here.", build.ToString());
        Assert.DoesNotContain("--resize", build.Output, "a build names metadata, not flags");
        StringAssert.Contains(build.Output, $"{app.Path("Data/b-calib.npy")} : warning AMCT3044: Mean has no effect on this data", build.ToString());
        Assert.IsTrue(File.Exists(app.Intermediate("b.int8.onnx")), "the other model still quantizes");
    }

    /// <summary>The ten test digits, each twice, as 16 x 16 grayscale PNGs in <paramref name="folder"/>.</summary>
    private static void WritePhotos(string folder)
    {
        Directory.CreateDirectory(folder);
        var (pixels, _) = Digits.Read();
        for (var i = 0; i < 2 * pixels.Length; i++)
        {
            var digit = pixels[i % pixels.Length];
            ImageWriter.Png(Path.Combine(folder, $"digit{i:00}.png"), 16, 16, (x, y) =>
            {
                var value = (byte)(digit[(y / 2 * 8) + (x / 2)] * 15);
                return (value, value, value);
            });
        }
    }
}
