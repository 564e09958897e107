namespace Amct.Engine.Evaluation.LayerErrors;

/// <summary>
/// How far each int8 layer's output is from the float model's, along the network (graph order): where the error
/// enters. Measured on the first <see cref="Samples"/> samples of the evaluation data (else the calibration data).
/// </summary>
/// <param name="Samples">The samples both models ran on.</param>
/// <param name="Layers">One entry per int8 layer of the main graph whose output could be compared, in graph order.</param>
/// <param name="Seconds">How long the measurement took (both sessions included).</param>
public sealed record LayerErrorReport(long Samples, IReadOnlyList<LayerError> Layers, double Seconds);

/// <summary>
/// One int8 layer's output against the float model's: <see cref="Output"/> is the tensor compared (the layer's
/// output, or the activation folded into it), as the next layer sees it in the int8 model (after its
/// quantize/dequantize pair, when it has one).
/// </summary>
public sealed record LayerError(string Layer, string OpType, string Output, double SqnrDb, double CosineMean,
    double CosineWorst, double MaxAbsError);
