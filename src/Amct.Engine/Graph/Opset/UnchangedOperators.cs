namespace Amct.Engine.Graph.Opset;

/// <summary>
/// ai.onnx operators a model written for opset 7–12 may keep as they are at opset 13. Each was checked against the
/// ONNX operator changelog (onnx/defs/operator_sets.h for the versions, docs/Changelog.md and the ONNX version
/// converter's adapter table for what changed): every version step from the one in force at opset 7 up to 13 only
/// adds element types, allows negative axes or indices, or adds an attribute or optional input whose default is
/// the old behaviour. The notes name those steps.
/// </summary>
internal static class UnchangedOperators
{
    public static bool Contains(string opType) => Operators.Contains(opType);

    public static IReadOnlyCollection<string> All => Operators;

    private static readonly HashSet<string> Operators = new(StringComparer.Ordinal)
    {
        // Element-wise math. Add/Sub/Mul/Div/Pow use numpy broadcasting since version 7 (opset 7); later versions
        // (13; Pow 12, 13) only add types. Sum/Max/Min/Mean version 8 generalizes version 6's equal shapes to
        // broadcasting; 12 (Max/Min) and 13 add types.
        "Add", "Sub", "Mul", "Div", "Pow", "Sum", "Max", "Min", "Mean", "Mod",
        "Abs", "Neg", "Reciprocal", "Floor", "Ceil", "Sqrt", "Exp", "Log", "Erf", "Sign",
        "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh",
        "IsNaN", "IsInf", "Round",

        // Activations: unchanged since version 6 or 7 apart from types (Relu/Sigmoid/Tanh 13, PRelu 9).
        "Relu", "LeakyRelu", "PRelu", "Sigmoid", "HardSigmoid", "Tanh", "Elu", "Selu", "Celu",
        "Softplus", "Softsign", "ThresholdedRelu", "Shrink",

        // Comparison and logic: Equal 11/13, Greater/Less 9/13 add types; And/Or/Xor/Not unchanged.
        "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "Not", "Where",

        // Convolution and pooling. Conv and ConvTranspose 11 make kernel_shape optional (inferred from the
        // weight) — the ONNX converter maps 10→11 as compatible. AveragePool 7 adds count_include_pad (default 0),
        // 10 ceil_mode (default 0), 11 is compatible. MaxPool 8 adds the optional Indices output and storage_order
        // (default 0), 10 ceil_mode and dilations (defaults 0 and 1), 11 compatible, 12 int8/uint8. LpPool 11 is
        // compatible. Global pools are unchanged since version 1.
        "Conv", "ConvTranspose", "MaxPool", "AveragePool", "LpPool",
        "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool", "MaxUnpool", "MaxRoiPool", "RoiAlign",

        // Normalization: InstanceNormalization 6, LRN 13 (types), LpNormalization 1, MeanVarianceNormalization
        // 9/13 (types).
        "InstanceNormalization", "LRN", "LpNormalization", "MeanVarianceNormalization",

        // Linear algebra: Gemm 9 (types) and 11 (C optional); MatMul 9/13 types; Einsum new in 12.
        "Gemm", "MatMul", "Einsum",

        // Shape and data movement. Flatten 9 types, 11 negative axis. Concat 11 negative axis. Gather 11 negative
        // indices. Transpose, Shape, Size, Tile, Expand, SpaceToDepth 13: types. DepthToSpace 11 adds mode with
        // default DCR, the version-1 behaviour. GatherND 12 adds batch_dims (default 0).
        "Flatten", "Concat", "Gather", "GatherElements", "GatherND", "Transpose", "Shape", "Size", "Tile", "Expand",
        "SpaceToDepth", "DepthToSpace", "Identity", "Compress", "ReverseSequence", "ScatterElements", "ScatterND",
        "OneHot",

        // Constants and generators: Constant 9/11/12 add types and value attributes; Cast 9 adds string casts,
        // 13 bfloat16. ConstantOfShape, EyeLike, NonZero (9), Range (11) unchanged.
        "Constant", "ConstantOfShape", "EyeLike", "Cast", "NonZero", "Range", "CumSum",

        // Reductions except ReduceSum (whose axes became an input in 13): 11 allows negative axes, ReduceMax/Min
        // 12 add int8/uint8, 13 adds types. ArgMax/ArgMin 11 negative axis, 12 select_last_index (default 0).
        "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum",
        "ReduceLogSumExp", "ReduceSumSquare", "ArgMax", "ArgMin",

        // Recurrent layers: RNN/GRU/LSTM 7 are unchanged up to 13 (14 adds layout).
        "RNN", "GRU", "LSTM",

        // Already-quantized operators (version 10/11). QuantizeLinear/DequantizeLinear 13 add axis for per-axis
        // scales, which version 10 could not express; with a scalar scale the axis has no effect.
        "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "QLinearConv", "QLinearMatMul",
        "ConvInteger", "MatMulInteger", "NonMaxSuppression",

        // Operators with a single version up to 13 (introduced at 9–11, next changed after 13): BitShift, Det, Unique,
        // the sequence operators (11), StringNormalizer (10), TfIdfVectorizer (9).
        "BitShift", "Det", "Unique", "SequenceConstruct", "SequenceEmpty", "SequenceInsert", "SequenceAt", "SequenceErase",
        "SequenceLength", "ConcatFromSequence", "SplitToSequence", "StringNormalizer", "TfIdfVectorizer",
    };
}
