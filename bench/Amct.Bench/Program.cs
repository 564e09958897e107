using Amct.Bench;

// Benchmarks of Amct.Build on this machine, printed as markdown tables of ratios measured in one run.
//   dotnet run -c Release --project bench/Amct.Bench            everything
//   dotnet run -c Release --project bench/Amct.Bench -- quick   everything but the 1,000-sample memory runs
//   dotnet run -c Release --project bench/Amct.Bench -- memory  only the memory runs
//   dotnet run -c Release --project bench/Amct.Bench -- accuracy  only SqueezeNet's accuracy study
//   dotnet run -c Release --project bench/Amct.Bench -- latency   only the latency-aware layer choice, before/after
//   dotnet run -c Release --project bench/Amct.Bench -- methods   every range method and algorithm switch on the digits
//                                                                  CNN, SqueezeNet and four models of ../shared/models-real
//   ... -- methods entropy hfmg                                     only the methods named
//   dotnet run -c Release --project bench/Amct.Bench -- algorithms   the default method, then each algorithm switch (DMQ…),
//                                                                  on the same models
//   ... -- algorithms hey_jarvis SqueezeNet                          only the models whose name holds one of those words
//   ... -- methods ifmr no-bias-correction                          the default method, with and without bias correction
//   ... -- methods ifmr range-refinement SqueezeNet                  only the models whose name holds one of the words
//   ... -- methods ifmr range-refinement all-int8                    every layer int8 (OptimizeFor=Size): no timing decides
//   dotnet run -c Release --project bench/Amct.Bench -- bias-correction-cost   default ÷ BiasCorrection=false: calibration
//                                                                  and whole-job time ratios on the methods' models
//   ... -- bias-correction-cost SqueezeNet                          only the models whose name holds one of the words
//   dotnet run -c Release --project bench/Amct.Bench -- sensitivity   where SqueezeNet's and digits-cnn's agreement is lost:
//                                                                  one tensor or layer at a time put back to float
//   ... -- sensitivity bias-correction                              the same with bias correction on
//   ... -- sensitivity SqueezeNet fire2/squeeze1x1_2 conv10_2         that model only, those tensors put back to float cumulatively
//   dotnet run -c Release --project bench/Amct.Bench -- int16    the fallback's 16-bit step against float fallback, on the
//                                                                  digits CNN and SqueezeNet with a gate above plain int8
//   ... -- int16 digits                                             only one of them (digits, squeezenet)
if (args.Length > 0 && args[0] == "--child")
{
    return MemoryGrowth.ChildMain(args);
}

var quick = args.Contains("quick");
if (args.Contains("accuracy"))
{
    var folder = Path.Combine(Path.GetTempPath(), "amct-bench");
    Directory.CreateDirectory(folder);
    var imagenet = ImagenetSplit.Create(folder);
    DefaultsStudy.Run(new DefaultsStudy.Case("SqueezeNet 1.1 (calibrate on 100 photos, evaluate on the other 200, imagenet-caffe)",
        Path.Combine(BenchModel.SharedData, "squeezenet/squeezenet1.1.onnx"), imagenet.Calibration, imagenet.Evaluation, imagenet.Labels,
        r => r with { DataOptions = new Amct.Engine.Data.SampleSourceOptions { Preset = "imagenet-caffe" } }), folder, Console.Out);
    return 0;
}
if (args.Contains("latency"))
{
    var folder = Path.Combine(Path.GetTempPath(), "amct-bench");
    Directory.CreateDirectory(folder);
    LatencyChoice.Run(LatencyChoice.Cases(folder), folder, Console.Out);
    return 0;
}
if (args.Contains("methods"))
{
    var folder = Path.Combine(Path.GetTempPath(), "amct-bench");
    Directory.CreateDirectory(folder);
    // Arguments after "methods": method and algorithm keys, and words naming models (e.g. SqueezeNet) to measure only those.
    var named = args.SkipWhile(a => a != "methods").Skip(1).ToList();
    var studies = MethodCases.All(folder).ToList();
    var models = named.Where(n => studies.Any(s => s.Name.Contains(n, StringComparison.Ordinal))).ToList();
    // "all-int8": every row with OptimizeFor=Size, so no layer goes float on a timing taken under load.
    var allInt8 = named.Remove("all-int8");
    var keys = named.Except(models).ToList();
    foreach (var study in studies.Where(s => models.Count == 0 || models.Any(m => s.Name.Contains(m, StringComparison.Ordinal))))
    {
        DefaultsStudy.Run(study, folder, Console.Out, variants: false, keys.Count > 0 ? keys : null,
            common: allInt8 ? r => r with { OptimizeFor = Amct.Engine.Latency.OptimizeFor.Size } : null);
    }
    return 0;
}
if (args.Contains("bias-correction-cost"))
{
    var folder = Path.Combine(Path.GetTempPath(), "amct-bench");
    Directory.CreateDirectory(folder);
    var models = args.SkipWhile(a => a != "bias-correction-cost").Skip(1).ToList();
    BiasCorrectionCost.Run(MethodCases.All(folder).Where(s => models.Count == 0 || models.Any(m => s.Name.Contains(m, StringComparison.Ordinal))).ToList(),
        folder, Console.Out);
    return 0;
}
if (args.Contains("algorithms"))
{
    var folder = Path.Combine(Path.GetTempPath(), "amct-bench");
    Directory.CreateDirectory(folder);
    var models = args.SkipWhile(a => a != "algorithms").Skip(1).ToList();
    foreach (var study in MethodCases.All(folder).Where(s => models.Count == 0 || models.Any(m => s.Name.Contains(m, StringComparison.Ordinal))))
    {
        DefaultsStudy.Run(study, folder, Console.Out, variants: false, [Amct.Engine.Calibration.RangeMethods.DefaultName], algorithms: true);
    }
    return 0;
}
if (args.Contains("sensitivity"))
{
    var folder = Path.Combine(Path.GetTempPath(), "amct-bench");
    Directory.CreateDirectory(folder);
    var biasCorrection = args.Contains("bias-correction");
    var named = args.SkipWhile(a => a != "sensitivity").Skip(1).Where(a => a != "bias-correction").ToList();
    var tensors = named.Skip(1).ToList();
    foreach (var study in MethodCases.All(folder).Where(s => s.Labels is not null && (named.Count == 0 || s.Name.Contains(named[0], StringComparison.Ordinal))))
    {
        LayerSensitivity.Run(study, folder, Console.Out, r => r with { BiasCorrection = biasCorrection }, tensors.Count > 0 ? tensors : null);
    }
    return 0;
}
if (args.Contains("int16"))
{
    var folder = Path.Combine(Path.GetTempPath(), "amct-bench");
    Directory.CreateDirectory(folder);
    var which = args.SkipWhile(a => a != "int16").Skip(1).ToList();
    var digitsData = Path.Combine(BenchModel.SharedData, "digits-cnn");
    if (which.Count == 0 || which.Contains("digits"))
    {
        Int16Fallback.Run(new DefaultsStudy.Case("digits-cnn (calibrate on 200, evaluate on 497)", Path.Combine(digitsData, "model.onnx"),
            Path.Combine(digitsData, "calib.npy"), Path.Combine(digitsData, "test_x.npy"), Path.Combine(digitsData, "test_y.npy")), 1, folder, Console.Out);
    }
    if (which.Count == 0 || which.Contains("squeezenet"))
    {
        var photos = ImagenetSplit.Create(folder);
        Int16Fallback.Run(new DefaultsStudy.Case("SqueezeNet 1.1 (calibrate on 100 photos, evaluate on the other 200, imagenet-caffe)",
            Path.Combine(BenchModel.SharedData, "squeezenet/squeezenet1.1.onnx"), photos.Calibration, photos.Evaluation, photos.Labels,
            r => r with { DataOptions = new Amct.Engine.Data.SampleSourceOptions { Preset = "imagenet-caffe" } }), 1, folder, Console.Out);
    }
    return 0;
}
if (args.Contains("memory"))
{
    var folder = Path.Combine(Path.GetTempPath(), "amct-bench");
    Directory.CreateDirectory(folder);
    MemoryGrowth.Run(samples => BenchModel.Squeezenet(samples, folder), folder, Console.Out);
    return 0;
}
var scratch = Path.Combine(Path.GetTempPath(), "amct-bench");
Directory.CreateDirectory(scratch);
var output = Console.Out;
output.WriteLine($"# Amct.Build benchmarks ({Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd})");
output.WriteLine();

var digits = Path.Combine(BenchModel.SharedData, "digits-cnn");
DefaultsStudy.Run(new DefaultsStudy.Case("digits-cnn (calibrate on 200, evaluate on 497)", Path.Combine(digits, "model.onnx"),
    Path.Combine(digits, "calib.npy"), Path.Combine(digits, "test_x.npy"), Path.Combine(digits, "test_y.npy")), scratch, output);
var split = ImagenetSplit.Create(scratch);
DefaultsStudy.Run(new DefaultsStudy.Case("SqueezeNet 1.1 (calibrate on 100 photos, evaluate on the other 200, imagenet-caffe)",
    Path.Combine(BenchModel.SharedData, "squeezenet/squeezenet1.1.onnx"), split.Calibration, split.Evaluation, split.Labels,
    r => r with { DataOptions = new Amct.Engine.Data.SampleSourceOptions { Preset = "imagenet-caffe" } }), scratch, output);
CalibrationCost.Run(BenchModel.Digits(), scratch, output);
CalibrationCost.Run(BenchModel.Squeezenet(100, scratch), scratch, output);
Int8Speed.Run(BenchModel.Squeezenet(100, scratch), scratch, output);
Int8Speed.Run(BenchModel.Digits(), scratch, output);
LatencyChoice.Run(LatencyChoice.Cases(scratch), scratch, output);
if (!quick)
{
    MemoryGrowth.Run(samples => BenchModel.Squeezenet(samples, scratch), scratch, output);
}
return 0;
