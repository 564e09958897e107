using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DigitsClassifier;

/// <summary>
/// Loads the int8 model Amct.Build wrote on build (next to where the float model would be) and classifies the ten
/// bundled digits, drawn side by side with the prediction under each.
/// </summary>
public static class Program
{
    public static int Main()
    {
        var modelPath = Path.Combine(AppContext.BaseDirectory, "Models", "digits-cnn.int8.onnx");
        if (!File.Exists(modelPath))
        {
            Console.Error.WriteLine($"{modelPath} is missing: build the project so Amct.Build quantizes the model.");
            return 1;
        }
        var digits = TestDigits.Read(Path.Combine(AppContext.BaseDirectory, "Data", "test-digits.txt"));

        using var session = new InferenceSession(modelPath);
        var predictions = Classify(session, digits);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"int8 model: {Path.GetFileName(modelPath)} ({new FileInfo(modelPath).Length / 1024} KB), quantized by Amct.Build on build"));
        // Five digits per block, with the true label and the int8 model's prediction under each.
        for (var start = 0; start < digits.Count; start += 5)
        {
            var block = Enumerable.Range(start, Math.Min(5, digits.Count - start)).ToList();
            Console.WriteLine();
            foreach (var line in TestDigits.Draw(block.Select(i => digits[i])))
            {
                Console.WriteLine("        " + line);
            }
            Console.WriteLine(Row("label", block.Select(i => digits[i].Label)));
            Console.WriteLine(Row("int8", block.Select(i => predictions[i])));
        }
        var correct = digits.Zip(predictions, (d, p) => d.Label == p).Count(ok => ok);
        Console.WriteLine();
        Console.WriteLine($"{correct} of {digits.Count} digits classified correctly by the int8 model.");
        return 0;
    }

    private static int[] Classify(InferenceSession session, IReadOnlyList<TestDigit> digits)
    {
        var input = new DenseTensor<float>([digits.Count, 1, TestDigit.Size, TestDigit.Size]);
        for (var i = 0; i < digits.Count; i++)
        {
            for (var p = 0; p < TestDigit.Size * TestDigit.Size; p++)
            {
                input[i, 0, p / TestDigit.Size, p % TestDigit.Size] = digits[i].Pixels[p] / 16f;
            }
        }
        var inputName = session.InputMetadata.Keys.Single();
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, input)]);
        var logits = results[0].AsTensor<float>();
        return Enumerable.Range(0, digits.Count)
            .Select(i => Enumerable.Range(0, logits.Dimensions[1]).MaxBy(c => logits[i, c]))
            .ToArray();
    }

    /// <summary>A title, then each value under the middle of its drawn digit.</summary>
    private static string Row(string title, IEnumerable<int> values) =>
        title.PadRight(8) + string.Concat(values.Select(v =>
            v.ToString(CultureInfo.InvariantCulture).PadLeft((TestDigit.Size / 2) + 1).PadRight(TestDigits.Width)));
}
