using Amct.Engine.Data;
using Amct.Engine.Onnx;

namespace Amct.Engine.Tests.Data;

/// <summary>Shorthand for the data tests: model inputs, reading every sample, and asserting coded errors.</summary>
internal static class DataAssert
{
    /// <summary>A dynamic dimension, e.g. Float("x", N, 3) for an input of shape [?,3].</summary>
    public static long? N => null;

    public static ModelInput Input(string name, int elementType, params long?[] shape) => new(name, elementType, shape);

    public static ModelInput Float(string name, params long?[] shape) => Input(name, DataTypes.Float, shape);

    /// <summary>Opens the data and reads every sample.</summary>
    public static List<Sample> ReadAll(string path, params ModelInput[] inputs)
    {
        using var source = SampleSources.Open(path, inputs);
        var samples = source.Read().ToList();
        Assert.HasCount((int)source.Count, samples, "Count must match the samples read");
        return samples;
    }

    public static float[] Floats(Sample sample, string input) => TensorData.ToArray<float>(sample.Inputs[input]);

    public static long[] Dims(Sample sample, string input) => sample.Inputs[input].Dims.ToArray();

    /// <summary>Asserts that opening the data and reading all of it fails with the code, target and message parts.</summary>
    public static AmctException Fails(string path, ModelInput[] inputs, string code, string target, params string[] messageParts) =>
        Throws(() => ReadAll(path, inputs), code, target, messageParts);

    public static AmctException Throws(Action action, string code, string target, params string[] messageParts)
    {
        var error = Assert.ThrowsExactly<AmctException>(action);
        Assert.AreEqual(code, error.Code, error.Message);
        Assert.AreEqual(Path.GetFullPath(target), error.Target, error.Message);
        foreach (var part in messageParts)
        {
            StringAssert.Contains(error.Message, part);
        }
        return error;
    }
}
