using Amct.Engine.Data;
using Amct.Engine.Onnx;

namespace Amct.Bench;

/// <summary>A model of the shared data and the calibration data the benchmark feeds it.</summary>
internal sealed record BenchModel(string Name, string ModelPath, string DataPath, int Samples)
{
    public static string SharedData { get; } = FindSharedData();

    /// <summary>The digits CNN with its 200 calibration samples.</summary>
    public static BenchModel Digits() =>
        new("digits-cnn", Path.Combine(SharedData, "digits-cnn/model.onnx"), Path.Combine(SharedData, "digits-cnn/calib.npy"), 200);

    /// <summary>
    /// SqueezeNet 1.1 with <paramref name="samples"/> inputs made from its test image: the image with a different
    /// deterministic brightness shift per sample, written as one .npy (timing and memory do not depend on content).
    /// </summary>
    public static BenchModel Squeezenet(int samples, string folder)
    {
        var model = Path.Combine(SharedData, "squeezenet/squeezenet1.1.onnx");
        var data = Path.Combine(folder, $"squeezenet-{samples}.npy");
        if (!File.Exists(data))
        {
            var image = TensorData.ToArray<float>(TensorProto.Parser.ParseFrom(
                File.ReadAllBytes(Path.Combine(SharedData, "squeezenet/test_data_set_0/input_0.pb"))));
            Npy.WriteFloat32(data, [samples, 3, 224, 224], index =>
            {
                var shift = (index % 17) - 8f;
                return image.Select(v => v + shift - 117f).ToArray();
            });
        }
        return new BenchModel("squeezenet1.1", model, data, samples);
    }

    public IReadOnlyList<ModelInput> Inputs => ModelInput.Of(ModelLoader.Load(ModelPath));

    private static string FindSharedData()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "..", "shared", "data");
            if (File.Exists(Path.Combine(dir.FullName, "Amct.Build.sln")) && Directory.Exists(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }
        throw new InvalidOperationException("../shared/data not found beside the repository");
    }
}

/// <summary>Writes .npy files one sample at a time (the file can be larger than memory).</summary>
internal static class Npy
{
    public static void WriteFloat32(string path, long[] shape, Func<int, float[]> sample)
    {
        using var stream = Create(path, "<f4", shape);
        for (var i = 0; i < shape[0]; i++)
        {
            stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(sample(i).AsSpan()));
        }
    }

    /// <summary>A 1-D int64 .npy: class labels, one per sample.</summary>
    public static void WriteInt64(string path, IReadOnlyList<long> values)
    {
        using var stream = Create(path, "<i8", [values.Count]);
        stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.ToArray().AsSpan()));
    }

    private static FileStream Create(string path, string type, long[] shape)
    {
        // A 1-D shape is written "(n,)", as numpy reads it.
        var dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        var header = $"{{'descr': '{type}', 'fortran_order': False, 'shape': ({dims}), }}";
        var padded = header.PadRight(((header.Length + 10 + 1 + 63) / 64 * 64) - 10 - 1) + "\n";
        var stream = File.Create(path);
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        stream.Write(BitConverter.GetBytes((ushort)padded.Length));
        stream.Write(System.Text.Encoding.ASCII.GetBytes(padded));
        return stream;
    }
}
