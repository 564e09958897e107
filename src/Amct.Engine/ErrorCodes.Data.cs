namespace Amct.Engine;

public static partial class ErrorCodes
{
    // 30xx: calibration and evaluation data (src/Amct.Engine/Data). The target is the data file or folder.

    /// <summary>The data path (file or folder) does not exist.</summary>
    public const string DataNotFound = "AMCT3001";

    /// <summary>A data folder holds no file any data format reads.</summary>
    public const string DataFolderEmpty = "AMCT3002";

    /// <summary>A data file of a kind no data format reads (by its extension).</summary>
    public const string DataFormatUnknown = "AMCT3003";

    /// <summary>Data for a name the model has no input for.</summary>
    public const string DataUnknownInput = "AMCT3004";

    /// <summary>A model input gets no data.</summary>
    public const string DataMissingInput = "AMCT3005";

    /// <summary>A model input gets data from two places, so which samples belong together is ambiguous.</summary>
    public const string DataDuplicateInput = "AMCT3006";

    /// <summary>A sample's shape does not fit the input's shape.</summary>
    public const string DataShapeMismatch = "AMCT3007";

    /// <summary>The data's element type is not the input's element type.</summary>
    public const string DataTypeMismatch = "AMCT3008";

    /// <summary>Inputs that must be fed together hold different numbers of samples.</summary>
    public const string DataSampleCountMismatch = "AMCT3009";

    /// <summary>A data file is damaged: a header that does not parse, data shorter than declared, a broken zip.</summary>
    public const string DataCorrupt = "AMCT3010";

    /// <summary>An element type no model input can take (object, string, complex, structured, big-endian).</summary>
    public const string DataTypeUnsupported = "AMCT3011";

    /// <summary>An .npy array stored in Fortran (column-major) order.</summary>
    public const string DataFortranOrder = "AMCT3012";

    /// <summary>Floating-point data holds NaN or infinity.</summary>
    public const string DataNotFinite = "AMCT3013";

    /// <summary>The data holds no samples.</summary>
    public const string DataEmpty = "AMCT3014";

    /// <summary>The model's inputs cannot be split into samples (a rank-0 input, or conflicting fixed batch sizes).</summary>
    public const string InputNotBatchable = "AMCT3015";

    /// <summary>A data file exists but could not be read (permissions, I/O error).</summary>
    public const string DataUnreadable = "AMCT3016";

    /// <summary>A labels file that does not hold a 1-D array of int32 or int64 class indices.</summary>
    public const string LabelsInvalid = "AMCT3017";

    /// <summary>Fewer labels than evaluation samples.</summary>
    public const string LabelsTooFew = "AMCT3018";

    /// <summary>More labels than evaluation samples (labels of other data, e.g. labels given without EvaluationData).</summary>
    public const string LabelsTooMany = "AMCT3043";

    /// <summary>A negative label (class indices start at 0).</summary>
    public const string LabelsNegative = "AMCT3019";
}
