namespace Amct.TestSupport;

/// <summary>
/// The real models and data committed with the repository (tests/Data/, see its PROVENANCE.md, and the digits sample's
/// own model and calibration set), so the default test run needs nothing beside the clone. The larger shared data
/// (SqueezeNet, the ImageNet photos) is <see cref="SharedData"/>, for opt-in tests only.
/// </summary>
public static class TestData
{
    /// <summary>The digits CNN trained for this project (the sample's copy).</summary>
    public static string DigitsModel => Existing(Path.Combine(SharedData.RepositoryRoot, "samples", "DigitsClassifier", "Models", "digits-cnn.onnx"));

    /// <summary>Its 200 calibration samples, float32 [200, 1, 8, 8] (the sample's copy).</summary>
    public static string DigitsCalibration => Existing(Path.Combine(SharedData.RepositoryRoot, "samples", "DigitsClassifier", "Data", "calib.npy"));

    /// <summary>A file or folder under tests/Data/, e.g. <c>digits-cnn/test_x.npy</c> or <c>iris-mlp/iris_mlp.onnx</c>.</summary>
    public static string PathOf(string relative) => Existing(Path.Combine(SharedData.RepositoryRoot, "tests", "Data", relative));

    private static string Existing(string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            // Committed with the repository: missing means a broken checkout, not an optional prerequisite.
            throw new FileNotFoundException($"Committed test data '{path}' is missing; restore it with git checkout.", path);
        }
        return path;
    }
}
