using Amct.Engine.Onnx;
using Amct.TestSupport;
using Google.Protobuf;

namespace Amct.Cli.Tests.Fuzz;

/// <summary>
/// The fuzz campaign's inputs, all generated from fixed seeds: crafted models ONNX Runtime refuses, byte-mutated
/// models built in code, mutated data and label files, lying external data references and special files, hostile
/// option values and damaged job files (<see cref="FuzzCommandLines"/>).
/// </summary>
internal static class FuzzCases
{
    private static readonly float[] Samples = Enumerable.Range(0, 8 * 4).Select(i => (i % 11 - 5) * 0.2f).ToArray();

    public static IEnumerable<FuzzCase> All(int mutatedModels, int editedModels, int mutatedData, int mutatedJobs)
    {
        // Interleaved, so that a time box cut short on a busy machine still leaves every class its share of runs.
        return Interleave(
            Crafted(),
            Special(),
            MutatedModels(mutatedModels, seed: 11),
            FlippedRealModel(mutatedModels / 10, seed: 13),
            EditedModels(editedModels, seed: 17),
            MutatedData(mutatedData, seed: 23),
            FuzzCommandLines.Options(),
            FuzzCommandLines.JobFiles(mutatedJobs, seed: 29));
    }

    private static IEnumerable<FuzzCase> Interleave(params IEnumerable<FuzzCase>[] classes)
    {
        var running = classes.Select(c => c.GetEnumerator()).ToList();
        while (running.Count > 0)
        {
            foreach (var cases in running.ToList())
            {
                if (cases.MoveNext())
                {
                    yield return cases.Current;
                }
                else
                {
                    cases.Dispose();
                    running.Remove(cases);
                }
            }
        }
    }

    private static IEnumerable<FuzzCase> Crafted()
    {
        var reproducers = HostileModels.RefusedByRuntime().Select(r => (r.Name, r.Model))
            .Concat(HostileModels.Questionable())
            .Append(("conflicting opset imports", HostileModels.With(HostileModels.GemmRelu(),
                m => m.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 7 }))))
            .Append(("every input an initializer", HostileModels.With(ModelBuilder.Gemm(),
                m => m.Graph.Initializer.Add(TensorData.FromArray<float>("X", [1, 4], [1f, 2f, 3f, 4f])))))
            .Append(("no inputs", HostileModels.With(ModelBuilder.Gemm(), m => m.Graph.Input.Clear())));
        foreach (var (name, model) in reproducers)
        {
            var data = model.Graph.Node[0].OpType == "Conv" ? ConvData() : GemmData();
            var files = new Dictionary<string, byte[]> { ["m.onnx"] = model.ToByteArray(), ["x.npy"] = data };
            yield return new FuzzCase("crafted model", name, files, Quantize("m.onnx", "x.npy")) { InProcess = false };
            yield return new FuzzCase("crafted model", name + " (inspect)", files, ["inspect", "{dir}/m.onnx"]);
        }
    }

    private static IEnumerable<FuzzCase> Special()
    {
        var gemm = ModelBuilder.Gemm().ToByteArray();
        var basic = new Dictionary<string, byte[]> { ["m.onnx"] = gemm, ["x.npy"] = GemmData() };
        Action<string> Fifo(string name) => dir => SpecialFiles.CreateFifo(Path.Combine(dir, name));
        Action<string> Link(string name, string target) => dir => File.CreateSymbolicLink(Path.Combine(dir, name), target);

        yield return new FuzzCase("special file", "FIFO as the model", Without(basic, "m.onnx"), Quantize("m.onnx", "x.npy"))
            { Setup = Fifo("m.onnx"), InProcess = false };
        yield return new FuzzCase("special file", "FIFO as the model (inspect)", Without(basic, "m.onnx"), ["inspect", "{dir}/m.onnx"])
            { Setup = Fifo("m.onnx"), InProcess = false };
        yield return new FuzzCase("special file", "FIFO as calibration data", Without(basic, "x.npy"), Quantize("m.onnx", "x.npy"))
            { Setup = Fifo("x.npy"), InProcess = false };
        yield return new FuzzCase("special file", "FIFO as a data folder's file", With(Without(basic, "x.npy"), "data/.keep", []),
            Quantize("m.onnx", "data")) { Setup = Fifo("data/X.npy"), InProcess = false };
        yield return new FuzzCase("special file", "/dev/zero as calibration data", Without(basic, "x.npy"), Quantize("m.onnx", "x.npy"))
            { Setup = Link("x.npy", "/dev/zero") };
        yield return new FuzzCase("special file", "FIFO as labels", basic,
            [.. Quantize("m.onnx", "x.npy"), "--evaluation-labels", "{dir}/y.npy"]) { Setup = Fifo("y.npy") };
        yield return new FuzzCase("special file", "FIFO as config", basic, [.. Quantize("m.onnx", "x.npy"), "--config", "{dir}/c.json"])
            { Setup = Fifo("c.json") };
        yield return new FuzzCase("special file", "FIFO as record", basic, [.. Quantize("m.onnx", "x.npy"), "--record", "{dir}/r.txt"])
            { Setup = Fifo("r.txt") };
        yield return new FuzzCase("special file", "symbolic link loop as data", Without(basic, "x.npy"), Quantize("m.onnx", "x.npy"))
            { Setup = dir => { Link("x.npy", "y.npy")(dir); Link("y.npy", "x.npy")(dir); } };

        foreach (var (name, entries, setup) in ExternalDataReferences())
        {
            var files = new Dictionary<string, byte[]> { ["m.onnx"] = ExternalModel(entries), ["x.npy"] = GemmData(), ["w.bin"] = WeightBytes() };
            yield return new FuzzCase("external data", name, files, Quantize("m.onnx", "x.npy")) { Setup = setup };
            yield return new FuzzCase("external data", name + " (inspect)", files, ["inspect", "{dir}/m.onnx"]) { Setup = setup };
        }
    }

    private static IEnumerable<(string Name, (string Key, string Value)[] Entries, Action<string>? Setup)> ExternalDataReferences()
    {
        yield return ("valid", [("location", "w.bin")], null);
        yield return ("location twice", [("location", "w.bin"), ("location", "w.bin")], null);
        yield return ("offset 2^63-1", [("location", "w.bin"), ("offset", long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture))], null);
        yield return ("offset+length overflow", [("location", "w.bin"), ("offset", "9223372036854775800"), ("length", "48")], null);
        yield return ("negative length", [("location", "w.bin"), ("length", "-1")], null);
        yield return ("absolute location", [("location", "/etc/passwd")], null);
        yield return ("dotdot location", [("location", "../w.bin")], null);
        yield return ("FIFO location", [("location", "pipe.bin")], dir => SpecialFiles.CreateFifo(Path.Combine(dir, "pipe.bin")));
        yield return ("link loop location", [("location", "loop.bin")], dir =>
        {
            File.CreateSymbolicLink(Path.Combine(dir, "loop.bin"), "loop2.bin");
            File.CreateSymbolicLink(Path.Combine(dir, "loop2.bin"), "loop.bin");
        });
        yield return ("device location", [("location", "zero.bin")], dir => File.CreateSymbolicLink(Path.Combine(dir, "zero.bin"), "/dev/zero"));
        yield return ("folder location", [("location", "sub")], dir => Directory.CreateDirectory(Path.Combine(dir, "sub")));
    }

    /// <summary>Models built in code, serialized, then damaged byte by byte as a bad download or a fuzzer would.</summary>
    private static IEnumerable<FuzzCase> MutatedModels(int count, int seed)
    {
        var random = new Random(seed);
        var bases = new (string Name, byte[] Bytes, byte[] Data)[]
        {
            ("gemm", ModelBuilder.Gemm().ToByteArray(), GemmData()),
            ("gemm-relu", HostileModels.GemmRelu().ToByteArray(), GemmData()),
            ("conv", HostileModels.ConvWithStrides(1).ToByteArray(), ConvData()),
        };
        for (var i = 0; i < count; i++)
        {
            var (name, bytes, data) = bases[i % bases.Length];
            var mutated = Mutate(bytes, random);
            var files = new Dictionary<string, byte[]> { ["m.onnx"] = mutated, ["x.npy"] = data };
            yield return new FuzzCase("mutated model", $"{name} #{i}", files,
                i % 4 == 3 ? ["inspect", "{dir}/m.onnx"] : Quantize("m.onnx", "x.npy"))
            {
                InProcess = i % 25 != 0,
            };
        }
    }

    /// <summary>The sample's real digits CNN with one to three bytes flipped, as a damaged download.</summary>
    private static IEnumerable<FuzzCase> FlippedRealModel(int count, int seed)
    {
        var random = new Random(seed);
        var sample = Path.Combine(SharedData.RepositoryRoot, "samples", "DigitsClassifier");
        var model = File.ReadAllBytes(Path.Combine(sample, "Models", "digits-cnn.onnx"));
        var data = File.ReadAllBytes(Path.Combine(sample, "Data", "test_x.npy"));
        for (var i = 0; i < count; i++)
        {
            var flipped = (byte[])model.Clone();
            for (var f = random.Next(1, 4); f > 0; f--)
            {
                flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
            }
            var files = new Dictionary<string, byte[]> { ["m.onnx"] = flipped, ["x.npy"] = data };
            yield return new FuzzCase("flipped real model", $"digits-cnn #{i}", files, Quantize("m.onnx", "x.npy"))
            {
                InProcess = i % 10 != 0,
            };
        }
    }

    /// <summary>
    /// Models that still parse but say something wrong: a field of a node, attribute, initializer or the model header
    /// set to a hostile value. These get past the protobuf parser to the loader, preparation and ONNX Runtime.
    /// </summary>
    private static IEnumerable<FuzzCase> EditedModels(int count, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var isConv = i % 3 == 2;
            var model = isConv ? HostileModels.ConvWithStrides(1) : HostileModels.GemmRelu();
            var edits = random.Next(1, 4);
            var described = new List<string>();
            for (var e = 0; e < edits; e++)
            {
                described.Add(Edit(model, random));
            }
            var files = new Dictionary<string, byte[]> { ["m.onnx"] = model.ToByteArray(), ["x.npy"] = isConv ? ConvData() : GemmData() };
            yield return new FuzzCase("edited model", $"#{i}: {string.Join("; ", described)}", files,
                i % 5 == 4 ? ["inspect", "{dir}/m.onnx"] : Quantize("m.onnx", "x.npy"))
            {
                InProcess = i % 25 != 0,
            };
        }
    }

    private static readonly long[] Extremes = [0, -1, 1, 2, 5, 99, 1000, int.MaxValue, long.MaxValue, long.MinValue];
    private static readonly string[] OpTypes = ["", "Relu", "Conv", "Gemm", "MatMul", "Add", "NoSuchOp", "If", "Loop", "Identity", "BatchNormalization"];

    private static string Edit(ModelProto model, Random random)
    {
        var graph = model.Graph;
        var node = graph.Node[random.Next(graph.Node.Count)];
        var values = graph.Node.SelectMany(n => n.Input.Concat(n.Output)).Concat(graph.Initializer.Select(t => t.Name)).Append("").Append("nowhere").ToList();
        var value = Extremes[random.Next(Extremes.Length)];
        switch (random.Next(12))
        {
            case 0: node.OpType = OpTypes[random.Next(OpTypes.Length)]; return $"{node.Name}.op_type={node.OpType}";
            case 1: node.Domain = random.Next(2) == 0 ? "com.nowhere" : "ai.onnx.ml"; return $"{node.Name}.domain={node.Domain}";
            case 2 when node.Input.Count > 0:
                var input = random.Next(node.Input.Count);
                node.Input[input] = values[random.Next(values.Count)];
                return $"{node.Name}.input[{input}]={node.Input[input]}";
            case 3: node.Output[0] = values[random.Next(values.Count)]; return $"{node.Name}.output={node.Output[0]}";
            case 4 when node.Attribute.Count > 0:
                var attribute = node.Attribute[random.Next(node.Attribute.Count)];
                if (attribute.Ints.Count > 0)
                {
                    attribute.Ints[random.Next(attribute.Ints.Count)] = value;
                }
                else
                {
                    attribute.I = value;
                }
                return $"{node.Name}.{attribute.Name}={value}";
            case 5:
                node.Attribute.Add(new AttributeProto { Name = random.Next(2) == 0 ? "axis" : "group", Type = AttributeProto.Types.AttributeType.Int, I = value });
                return $"{node.Name}+attribute={value}";
            case 6:
                var tensor = graph.Initializer[random.Next(graph.Initializer.Count)];
                var dim = random.Next(tensor.Dims.Count);
                tensor.Dims[dim] = value;
                return $"{tensor.Name}.dims[{dim}]={value}";
            case 7: model.OpsetImport[0].Version = value; return $"opset={value}";
            case 8: model.IrVersion = value; return $"ir={value}";
            case 9: graph.Node.Add(node.Clone()); return $"{node.Name} twice";
            case 10:
                var shape = graph.Input[0].Type.TensorType.Shape;
                shape.Dim[random.Next(shape.Dim.Count)].DimValue = value;
                return $"input dim={value}";
            default: graph.Input[0].Type.TensorType.ElemType = (int)(value & 31); return $"input type={value & 31}";
        }
    }

    /// <summary>Valid data and labels for a valid model, damaged: .npy headers and payloads, .npz archives, labels.</summary>
    private static IEnumerable<FuzzCase> MutatedData(int count, int seed)
    {
        var random = new Random(seed);
        var model = ModelBuilder.Gemm().ToByteArray();
        var npz = Npz(("X", GemmData()));
        var labels = NpyWriter.Bytes<long>([8], [0, 1, 2, 0, 1, 2, 0, 1]);
        for (var i = 0; i < count; i++)
        {
            var files = new Dictionary<string, byte[]> { ["m.onnx"] = model };
            string[] args;
            switch (i % 3)
            {
                case 0:
                    files["x.npy"] = Mutate(GemmData(), random);
                    args = Quantize("m.onnx", "x.npy");
                    break;
                case 1:
                    files["x.npz"] = Mutate(npz, random);
                    args = Quantize("m.onnx", "x.npz");
                    break;
                default:
                    files["x.npy"] = GemmData();
                    files["y.npy"] = Mutate(labels, random);
                    args = [.. Quantize("m.onnx", "x.npy"), "--evaluation-labels", "{dir}/y.npy"];
                    break;
            }
            yield return new FuzzCase("mutated data", $"data #{i}", files, args) { InProcess = i % 25 != 0 };
        }
    }

    /// <summary>1–8 random edits: flip a bit, set a byte to an extreme, cut the tail, repeat or drop a run of bytes.</summary>
    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = new List<byte>(original);
        var edits = random.Next(1, 9);
        for (var e = 0; e < edits && bytes.Count > 1; e++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1: bytes[at] = (byte)(random.Next(2) == 0 ? 0x00 : 0xFF); break;
                case 2: bytes[at] = (byte)random.Next(256); break;
                case 3: bytes.RemoveRange(at, bytes.Count - at); break;
                case 4: bytes.InsertRange(at, bytes.GetRange(at, Math.Min(random.Next(1, 64), bytes.Count - at))); break;
                default: bytes.RemoveRange(at, Math.Min(random.Next(1, 16), bytes.Count - at)); break;
            }
        }
        return [.. bytes];
    }

    private static string[] Quantize(string model, string data) =>
        ["quantize", "{dir}/" + model, "--calibration-data", "{dir}/" + data, "--output-dir", "{dir}/out"];

    private static byte[] GemmData() => NpyWriter.Bytes<float>([8, 4], Samples);

    private static byte[] ConvData() =>
        NpyWriter.Bytes<float>([2, 1, 6, 6], Enumerable.Range(0, 72).Select(i => (i % 13) * 0.05f).ToArray());

    private static byte[] WeightBytes() => ModelBuilder.Gemm().Graph.Initializer.Single(t => t.Name == "W").RawData.ToByteArray();

    private static byte[] ExternalModel((string Key, string Value)[] entries) =>
        HostileModels.WithExternalWeights(entries).ToByteArray();

    private static byte[] Npz(params (string Key, byte[] Npy)[] arrays)
    {
        var path = Path.GetTempFileName();
        try
        {
            NpyWriter.WriteNpz(path, compressed: true, arrays);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static Dictionary<string, byte[]> Without(Dictionary<string, byte[]> files, string name) =>
        files.Where(f => f.Key != name).ToDictionary(f => f.Key, f => f.Value);

    private static Dictionary<string, byte[]> With(Dictionary<string, byte[]> files, string name, byte[] bytes) =>
        new(files) { [name] = bytes };
}
