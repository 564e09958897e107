namespace Amct.Engine;

public static partial class ErrorCodes
{
    // 3020-3049: image data and its preprocessing, raw .bin data, data given per input, labels matched by name
    // (src/Amct.Engine/Data/Images, Raw, LabelFiles). The target is the file at fault, else the data path or setting.

    /// <summary>An image file is damaged: truncated, garbage where the image data should be, or empty.</summary>
    public const string ImageCorrupt = "AMCT3020";

    /// <summary>A file that is not a JPEG, PNG or BMP image (a GIF, WebP, TIFF, text, ... whatever its name says).</summary>
    public const string ImageFormatUnsupported = "AMCT3021";

    /// <summary>An image smaller than the center crop (after resizing).</summary>
    public const string ImageTooSmall = "AMCT3022";

    /// <summary>An image larger than the decoder accepts (a decompression bomb or a scan, not a photo for a model).</summary>
    public const string ImageTooLarge = "AMCT3023";

    /// <summary>Image data for a model input that is not image-shaped (rank 4, 1 or 3 channels).</summary>
    public const string ImageInputNotImage = "AMCT3024";

    /// <summary>The preprocessed image size is not the size the model's input fixes.</summary>
    public const string ImageSizeMismatch = "AMCT3025";

    /// <summary>The model does not fix its image size and no resize or crop says what size to make.</summary>
    public const string ImageSizeUnknown = "AMCT3026";

    /// <summary>The color order gives a number of channels the model's input does not take.</summary>
    public const string ImageChannelMismatch = "AMCT3027";

    /// <summary>The model input's element type cannot hold preprocessed pixels (only float32/16/64 and uint8 can).</summary>
    public const string ImageElementTypeUnsupported = "AMCT3028";

    /// <summary>A preprocessing preset name that does not exist.</summary>
    public const string PreprocessPresetUnknown = "AMCT3029";

    /// <summary>A preprocessing setting with an invalid value (bad syntax, a zero std, a mean of the wrong length).</summary>
    public const string PreprocessSettingInvalid = "AMCT3030";

    /// <summary>Image or .bin data given as one path for a model with several inputs.</summary>
    public const string DataNeedsInputNames = "AMCT3031";

    /// <summary>Raw .bin data without a declared shape for its input.</summary>
    public const string RawShapeMissing = "AMCT3032";

    /// <summary>Raw .bin data without a declared element type for its input.</summary>
    public const string RawTypeMissing = "AMCT3033";

    /// <summary>A raw .bin file whose byte length is not what the declared shape and type take.</summary>
    public const string RawSizeMismatch = "AMCT3034";

    /// <summary>A declared shape or type with invalid syntax, an unknown type name, or for no model input.</summary>
    public const string RawDeclarationInvalid = "AMCT3035";

    /// <summary>A "name=path;name=path" data list that does not parse (an empty name or path, a name twice).</summary>
    public const string DataListInvalid = "AMCT3036";

    /// <summary>An image (sample) that no row of the labels file names.</summary>
    public const string LabelsMissingForSample = "AMCT3037";

    /// <summary>A labels row that names no image (sample) of the data.</summary>
    public const string LabelsWithoutSample = "AMCT3038";

    /// <summary>Two labels rows for the same image, or a class name listed twice in a class list.</summary>
    public const string LabelsDuplicate = "AMCT3039";

    /// <summary>A class index that is not a whole number.</summary>
    public const string LabelsNotInteger = "AMCT3040";

    /// <summary>Labels matched by name (CSV, class folders) for samples that have no names (arrays).</summary>
    public const string LabelsNeedNames = "AMCT3041";

    /// <summary>A labels row whose file name matches several images (in different folders).</summary>
    public const string LabelsAmbiguous = "AMCT3042";

    /// <summary>Warning: image preprocessing given for data that is no images, or raw declarations for data that is not raw.</summary>
    public const string DataSettingUnused = "AMCT3044";
}
