using Amct.Engine.Data.Images;

namespace Amct.Engine.Data;

/// <summary>
/// What a data path does not say about itself: how images become tensors, and the shape and element type of raw
/// .bin files (which have no header). Formats that need none of it (.npy, .npz, ONNX test data) ignore it.
/// </summary>
public sealed record SampleSourceOptions
{
    /// <summary>No preset, no explicit preprocessing, no declarations: every setting takes its default.</summary>
    public static SampleSourceOptions Default { get; } = new();

    /// <summary>
    /// A preprocessing preset (<see cref="ImagePresets.Names"/>, e.g. "imagenet-caffe"), or null. Settings given in
    /// <see cref="Image"/> override the preset's.
    /// </summary>
    public string? Preset { get; init; }

    /// <summary>Explicit image preprocessing settings; a null setting takes the preset's value, else its default.</summary>
    public ImagePreprocessing Image { get; init; } = new();

    /// <summary>
    /// The declared shape of the raw .bin data of each input (input name to dims, e.g. "data_0" to [1,3,224,224]):
    /// each file holds exactly one array of that shape, its first dimension stacking samples (AMCT's --input_shape).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<long>> InputShapes { get; init; } =
        new Dictionary<string, IReadOnlyList<long>>(StringComparer.Ordinal);

    /// <summary>The declared element type (ONNX data type, see <see cref="Onnx.DataTypes"/>) of each input's raw .bin data.</summary>
    public IReadOnlyDictionary<string, int> InputTypes { get; init; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>
    /// The image settings that were given (the preset and every explicit one), as the user named them (<c>--resize</c>
    /// on the command line, <c>Resize</c> in a build): data that is no image ignores them, and that warns.
    /// </summary>
    public IReadOnlyList<string> ImageSettingsGiven { get; init; } = [];

    /// <summary>The raw .bin declarations that were given, as the user named them; data that is not raw ignores them.</summary>
    public IReadOnlyList<string> RawSettingsGiven { get; init; } = [];

    /// <summary>Inputs the data does not feed, given a fixed value on every sample (<see cref="InputFeed"/>).</summary>
    public IReadOnlyList<FixedInput> FixedInputs { get; init; } = [];

    /// <summary>
    /// When set, the samples are one stream and its stepper's state inputs carry the float model's state from sample to
    /// sample (<see cref="CarriedStateSource"/>), computed once per data set; null: state inputs keep their fixed value
    /// (zero) on every sample.
    /// </summary>
    public CarriedStateCache? CarriedState { get; init; }
}
