using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Amct.Engine.Onnx;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Amct.Engine.Tests.Formats;

/// <summary>
/// The per-layer error computed the test's own way, to check the engine's against: both model files read from disk, the
/// tensors exposed as graph outputs by hand, the samples read straight from the .npy file, ONNX Runtime run directly,
/// and SQNR and cosine written out from their definitions.
/// </summary>
internal static partial class IndependentLayerErrors
{
    /// <returns>Per float tensor: SQNR in dB over all values, and the mean over samples of the cosine similarity.</returns>
    public static Dictionary<string, (double SqnrDb, double Cosine)> Compute(string floatModel, string int8Model, string npy,
        int samples, IReadOnlyList<string> tensors)
    {
        var (shape, values) = ReadNpy(npy);
        var sampleSize = values.Length / shape[0];
        var input = new DenseTensor<float>(values.AsMemory(0, samples * sampleSize), [samples, .. shape[1..]]);

        // In the int8 model the consumers read each tensor after QuantizeLinear → DequantizeLinear, when it has them.
        var quantized = ModelProto.Parser.ParseFrom(File.ReadAllBytes(int8Model));
        var dequantizedOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var dq in quantized.Graph.Node.Where(n => n.OpType == "DequantizeLinear"))
        {
            var q = quantized.Graph.Node.FirstOrDefault(n => n.OpType == "QuantizeLinear" && n.Output.Contains(dq.Input[0]));
            if (q is not null)
            {
                dequantizedOf[q.Input[0]] = dq.Output[0];
            }
        }
        var floatOutputs = Run(ModelProto.Parser.ParseFrom(File.ReadAllBytes(floatModel)), tensors, input);
        var int8Outputs = Run(quantized, tensors.Select(t => dequantizedOf.GetValueOrDefault(t, t)).ToList(), input);

        var result = new Dictionary<string, (double, double)>(StringComparer.Ordinal);
        for (var t = 0; t < tensors.Count; t++)
        {
            var (a, b) = (floatOutputs[t], int8Outputs[t]);
            double signal = 0, noise = 0, cosines = 0;
            var row = a.Length / samples;
            for (var s = 0; s < samples; s++)
            {
                double dot = 0, na = 0, nb = 0;
                for (var i = s * row; i < (s + 1) * row; i++)
                {
                    signal += (double)a[i] * a[i];
                    noise += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
                    dot += (double)a[i] * b[i];
                    na += (double)a[i] * a[i];
                    nb += (double)b[i] * b[i];
                }
                cosines += na == 0 && nb == 0 ? 1 : na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb);
            }
            result[tensors[t]] = (10 * Math.Log10(signal / noise), cosines / samples);
        }
        return result;
    }

    private static List<float[]> Run(ModelProto model, IReadOnlyList<string> outputs, DenseTensor<float> input)
    {
        foreach (var name in outputs.Where(o => model.Graph.Output.All(g => g.Name != o)))
        {
            model.Graph.Output.Add(new ValueInfoProto { Name = name });
        }
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(model.ToByteArray(), options);
        var feed = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(), input) };
        using var results = session.Run(feed, outputs);
        return results.Select(r => r.AsTensor<float>().ToArray()).ToList();
    }

    /// <summary>A little-endian float32 C-order .npy file: its shape and values.</summary>
    private static (int[] Shape, float[] Values) ReadNpy(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var major = bytes[6];
        var headerLength = major == 1 ? BitConverter.ToUInt16(bytes, 8) : (int)BitConverter.ToUInt32(bytes, 8);
        var start = (major == 1 ? 10 : 12) + headerLength;
        var header = Encoding.ASCII.GetString(bytes, major == 1 ? 10 : 12, headerLength);
        if (!header.Contains("'<f4'", StringComparison.Ordinal) || header.Contains("'fortran_order': True", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: not little-endian float32 in C order: {header}");
        }
        var shape = ShapePattern().Match(header).Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => int.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        var values = new float[(bytes.Length - start) / 4];
        Buffer.BlockCopy(bytes, start, values, 0, values.Length * 4);
        return (shape, values);
    }

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
