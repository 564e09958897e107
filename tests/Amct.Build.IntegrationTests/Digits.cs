using Amct.TestSupport;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Amct.Build.IntegrationTests;

/// <summary>Runs a digits model on the sample's ten labelled test digits (samples/DigitsClassifier/Data/test-digits.txt).</summary>
internal static class Digits
{
    private const string PixelChars = "0123456789abcdefg";

    /// <returns>How many of the ten digits the model classifies correctly.</returns>
    public static int CorrectOf10(string modelPath)
    {
        var (pixels, labels) = Read();
        var input = new DenseTensor<float>([labels.Length, 1, 8, 8]);
        for (var i = 0; i < labels.Length; i++)
        {
            for (var p = 0; p < 64; p++)
            {
                input[i, 0, p / 8, p % 8] = pixels[i][p] / 16f;
            }
        }
        using var session = new InferenceSession(modelPath);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(), input)]);
        var logits = results[0].AsTensor<float>();
        return Enumerable.Range(0, labels.Length).Count(i => Enumerable.Range(0, 10).MaxBy(c => logits[i, c]) == labels[i]);
    }

    /// <summary>The ten digits: 8 x 8 pixel values 0-16 (row by row) and their labels.</summary>
    public static (int[][] Pixels, int[] Labels) Read()
    {
        var lines = File.ReadAllLines(Path.Combine(SharedData.RepositoryRoot, "samples", "DigitsClassifier", "Data", "test-digits.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var pixels = new List<int[]>();
        var labels = new List<int>();
        for (var i = 0; i + 8 < lines.Count; i += 9)
        {
            labels.Add(int.Parse(lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture));
            pixels.Add(lines.Skip(i + 1).Take(8).SelectMany(r => r.Trim().Select(c => PixelChars.IndexOf(c, StringComparison.Ordinal))).ToArray());
        }
        return (pixels.ToArray(), labels.ToArray());
    }
}
