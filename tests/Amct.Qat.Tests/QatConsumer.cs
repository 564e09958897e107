using Amct.Build.IntegrationTests;
using Amct.TestSupport;

namespace Amct.Qat.Tests;

/// <summary>
/// A consumer project of both packages in a folder under the feed's project root: the committed digits CNN copied in
/// twice with its calibration data, Models/ptq.onnx quantized post-training (weights rounded to nearest, as the
/// retraining starts) and Models/distill.onnx retrained, both at 2-bit weights with the quality floor off (see
/// <see cref="RetrainOnBuildTests"/> for why), with few epochs to keep the build short.
/// </summary>
internal sealed class QatConsumer
{
    public const int Epochs = 5;

    private readonly LocalFeed _feed;

    private QatConsumer(LocalFeed feed, string directory, string name)
    {
        _feed = feed;
        Directory = directory;
        ProjectFile = System.IO.Path.Combine(directory, name + ".csproj");
    }

    public string Directory { get; }
    public string ProjectFile { get; }

    public static QatConsumer Create(LocalFeed feed, string name)
    {
        var directory = System.IO.Directory.CreateDirectory(System.IO.Path.Combine(feed.ProjectsRoot, name)).FullName;
        var consumer = new QatConsumer(feed, directory, name);
        consumer.Copy(TestData.DigitsModel, "Models/ptq.onnx");
        consumer.Copy(TestData.DigitsModel, "Models/distill.onnx");
        consumer.Copy(TestData.DigitsCalibration, "Data/calib.npy");
        File.WriteAllText(consumer.ProjectFile, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <UseAppHost>false</UseAppHost>
                <AmctWeightBits>2</AmctWeightBits>
                <AmctQualityFloor>false</AmctQualityFloor>
                <AmctMeasureLatency>false</AmctMeasureLatency>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Amct.Build" Version="{feed.Version}" PrivateAssets="all" />
                <PackageReference Include="Amct.Build.Qat" Version="{feed.Version}" PrivateAssets="all" />
              </ItemGroup>
              <ItemGroup>
                <AmctModel Include="Models/ptq.onnx" CalibrationData="Data/calib.npy" WeightRounding="Nearest" />
                <AmctModel Include="Models/distill.onnx" CalibrationData="Data/calib.npy" Retrain="Distill" RetrainEpochs="{Epochs}" />
              </ItemGroup>
            </Project>
            """);
        return consumer;
    }

    public string Path(string relative) => System.IO.Path.GetFullPath(System.IO.Path.Combine(Directory, relative));

    /// <summary>An output in obj/: &lt;name&gt;.int8.onnx, .record.txt, .quant.json, .quant.md.</summary>
    public string Intermediate(string file) => Path($"obj/Debug/net10.0/amct/Models/{file}");

    public string Output(string file) => Path($"bin/Debug/net10.0/Models/{file}");

    /// <summary>`dotnet build` at normal verbosity (skipped targets show), which must succeed.</summary>
    public CommandResult Build()
    {
        var result = DotNet.Run(Directory, _feed.Environment, "build", ProjectFile, "-nr:false", "-v:n");
        Assert.AreEqual(0, result.ExitCode, $"the build failed:\n{result}");
        return result;
    }

    private void Copy(string source, string relative)
    {
        var target = Path(relative);
        System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        File.Copy(source, target);
    }
}
