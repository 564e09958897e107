namespace Amct.Engine;

/// <summary>
/// Every error code Amct.Build reports. The thousands digit names the area: 1 settings and project input,
/// 2 model file, 3 data and calibration, 4 accuracy gate, 5 I/O and environment. Codes are never reused; the README
/// lists them with what to do. Each stage keeps its own codes in its own part of this class
/// (ErrorCodes.&lt;Stage&gt;.cs), so a stage's errors are found next to each other.
/// </summary>
public static partial class ErrorCodes
{
    // 1xxx: settings and command-line input.
    public const string UnknownCommand = "AMCT1001";
    public const string BadArgument = "AMCT1002";

    // 2xxx: the model file.
    public const string ModelNotFound = "AMCT2001";
    public const string ModelEmpty = "AMCT2002";
    public const string ModelNotProtobuf = "AMCT2003";
    public const string ModelNotOnnx = "AMCT2004";
    public const string ModelTooDeep = "AMCT2005";
    public const string ModelTooLarge = "AMCT2006";
    public const string TensorDataMismatch = "AMCT2007";
    public const string ExternalDataPathRejected = "AMCT2008";
    public const string ExternalDataMissing = "AMCT2009";
    public const string ExternalDataOutOfRange = "AMCT2010";
    public const string ExternalDataMalformed = "AMCT2011";
    public const string TensorTypeUnsupported = "AMCT2012";

    /// <summary>ONNX Runtime refuses to load the user's model (the message quotes its reason and names the node).</summary>
    public const string ModelRejectedByRuntime = "AMCT2013";

    // 5xxx: I/O and environment.
    public const string WriteFailed = "AMCT5001";

    /// <summary>A file to read is a FIFO, device or socket: refused before it is opened (opening a FIFO blocks).</summary>
    public const string InputNotRegularFile = "AMCT5010";

    /// <summary>ONNX Runtime refuses the int8 model amct built from a model it accepted: a bug in amct.</summary>
    public const string QuantizedModelRejected = "AMCT5020";
    public const string InternalError = "AMCT5999";
}
