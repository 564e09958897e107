namespace Amct.Engine.Data.TestData;

/// <summary>
/// ONNX test data: a folder of <c>test_data_set_N</c> folders (read in order of N), or one such data set folder
/// itself (a folder holding <c>input_K.pb</c> files).
/// </summary>
internal sealed class TestDataFolderFormat : ISampleFormat
{
    private const string DataSetPrefix = "test_data_set_";

    public string Description => "folder of ONNX test data (test_data_set_N/input_K.pb)";

    public bool CanRead(string path) =>
        Directory.Exists(path) && (DataSetFolders(path).Count > 0 || TestDataSet.InputFiles(path).Count > 0);

    public ISampleSource Open(string path, IReadOnlyList<ModelInput> inputs, SampleSourceOptions options)
    {
        var dataSets = DataSetFolders(path);
        var folders = dataSets.Count > 0 ? dataSets.Select(set => set.Path).ToList() : [path];
        var groups = folders.Select(folder => TestDataSet.Read(folder, inputs)).ToList();
        return new ArraySampleSource(path, groups);
    }

    private static IReadOnlyList<(string Path, int Number)> DataSetFolders(string path) =>
        NumberedName.Select(Directory.EnumerateDirectories(path), DataSetPrefix, "");
}
