using System.Globalization;
using Amct.Engine.Onnx;

namespace Amct.Engine.Data;

/// <summary>An input fed the same value on every run instead of data: given by a setting, or zero recurrent state.</summary>
/// <param name="Input">The model input.</param>
/// <param name="Value">Every element's value.</param>
/// <param name="Why">Where the value comes from, for the report.</param>
public sealed record FixedInput(ModelInput Input, double Value, string Why)
{
    /// <summary>The element types a fixed value can be written in.</summary>
    public static IReadOnlySet<int> Types { get; } = new HashSet<int>
    {
        DataTypes.Float, DataTypes.Double, DataTypes.Int64, DataTypes.Int32, DataTypes.Int8, DataTypes.UInt8, DataTypes.Bool,
    };

    /// <summary>
    /// The tensor fed with <paramref name="sample"/>: the declared shape, each dynamic dimension sized like the
    /// dimension of the same name in a data input of the sample (a state's batch axis follows the audio's), else 1.
    /// </summary>
    public TensorProto TensorFor(Sample sample, IReadOnlyList<ModelInput> dataInputs)
    {
        var dims = Input.Shape.Select((size, axis) => size ?? SizeOf(NameOf(Input, axis), sample, dataInputs)).ToArray();
        var count = (int)dims.Aggregate(1L, (a, b) => a * b);
        return Input.ElementType switch
        {
            DataTypes.Float => TensorData.FromArray<float>(Input.Name, dims, Enumerable.Repeat((float)Value, count).ToArray()),
            DataTypes.Double => TensorData.FromArray<double>(Input.Name, dims, Enumerable.Repeat(Value, count).ToArray()),
            DataTypes.Int64 => TensorData.FromArray<long>(Input.Name, dims, Enumerable.Repeat((long)Value, count).ToArray()),
            DataTypes.Int32 => TensorData.FromArray<int>(Input.Name, dims, Enumerable.Repeat((int)Value, count).ToArray()),
            DataTypes.Int8 => TensorData.FromArray<sbyte>(Input.Name, dims, Enumerable.Repeat((sbyte)Value, count).ToArray()),
            DataTypes.UInt8 => TensorData.FromArray<byte>(Input.Name, dims, Enumerable.Repeat((byte)Value, count).ToArray()),
            DataTypes.Bool => TensorData.FromArray<bool>(Input.Name, dims, Enumerable.Repeat(Value != 0, count).ToArray()),
            _ => throw new InvalidOperationException($"no fixed value of element type {Input.ElementType}"),
        };
    }

    private static string? NameOf(ModelInput input, int axis) => axis < input.DimNames.Count ? input.DimNames[axis] : null;

    private static long SizeOf(string? name, Sample sample, IReadOnlyList<ModelInput> dataInputs)
    {
        foreach (var input in name is null ? [] : dataInputs)
        {
            var axis = input.DimNames.ToList().IndexOf(name);
            if (axis >= 0 && sample.Inputs.TryGetValue(input.Name, out var tensor) && axis < tensor.Dims.Count)
            {
                return tensor.Dims[axis];
            }
        }
        return 1;
    }
}

/// <summary>
/// How a model's inputs are fed for calibration and evaluation. Usually every input is batched along its first axis.
/// When the inputs share no batch axis (a scalar input, inputs fixing different first dimensions, or inputs given a
/// value by the <c>InputValues</c> setting) every sample is one whole run instead (<see cref="ModelInput.Whole"/>);
/// then inputs given a value, and recurrent state inputs the data does not feed (shaped like a model output, as an
/// LSTM's h and c are), get a fixed value on every run: state starts at zero, as a stream does.
/// </summary>
/// <param name="DataInputs">The inputs the data feeds.</param>
/// <param name="Fixed">The inputs fed a fixed value.</param>
/// <param name="States">
/// The recurrent state inputs among <paramref name="Fixed"/> whose next value a model output gives (h ← hn): fed zero at
/// the first sample, and with <see cref="CarriedStateSource"/> the float model's output after the previous one.
/// </param>
public sealed record InputFeed(IReadOnlyList<ModelInput> DataInputs, IReadOnlyList<FixedInput> Fixed, IReadOnlyList<StatePair> States)
{
    /// <param name="model">The model.</param>
    /// <param name="values">Input name to value (the InputValues setting).</param>
    /// <param name="setting">The setting's name, for errors.</param>
    public static InputFeed Plan(ModelProto model, IReadOnlyDictionary<string, double> values, string setting)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(values);
        var inputs = ModelInput.Of(model);
        foreach (var name in values.Keys.Where(name => inputs.All(i => i.Name != name)))
        {
            throw new AmctException(ErrorCodes.BadSettingValue, setting,
                $"'{name}' is not an input of the model; its inputs are {DataErrors.InputList(inputs)}.");
        }
        var fixedInputs = new List<FixedInput>();
        foreach (var input in inputs.Where(i => values.ContainsKey(i.Name)))
        {
            if (!FixedInput.Types.Contains(input.ElementType))
            {
                throw new AmctException(ErrorCodes.BadSettingValue, setting,
                    $"input '{input.Name}' takes {DataTypes.Name(input.ElementType)}, which a value cannot be given for; feed it from the data.");
            }
            fixedInputs.Add(new FixedInput(input, values[input.Name], $"{setting} {input.Name}=" +
                values[input.Name].ToString(CultureInfo.InvariantCulture)));
        }
        var rest = inputs.Where(i => !values.ContainsKey(i.Name)).ToList();
        if (fixedInputs.Count == 0 && !ShareNoBatchAxis(rest))
        {
            return new InputFeed(inputs, [], []);
        }
        var outputs = model.Graph.Output.ToList();
        var states = rest.Skip(1).Where(i => StateOutputs(i, outputs).Any()).ToList();
        var pairs = StatePair.Match(states, states.ToDictionary(s => s.Name, s => StateOutputs(s, outputs).Select(o => o.Name).ToList()));
        foreach (var state in states)
        {
            var pair = pairs.FirstOrDefault(p => p.Input == state.Name);
            fixedInputs.Add(new FixedInput(state, 0, pair is null
                ? "recurrent state, zero as at the start of a stream"
                : $"recurrent state, zero at the first sample, then the float model's '{pair.Output}' after the sample before (the samples are a stream, in data order)"));
            rest.Remove(state);
        }
        return new InputFeed(rest.Select(i => i with { Whole = true }).ToList(), fixedInputs, pairs);
    }

    /// <summary>The feed with every state input fed zero on every run, as a stream's first sample is.</summary>
    public InputFeed WithZeroState() => States.Count == 0 ? this : this with
    {
        Fixed = Fixed.Select(f => States.Any(p => p.Input == f.Input.Name)
            ? f with { Why = "recurrent state, zero as at the start of a stream (RecurrentState=zero)" } : f).ToList(),
        States = [],
    };

    /// <summary>A scalar or unshaped input, or first dimensions fixed to different sizes: no common batch axis.</summary>
    private static bool ShareNoBatchAxis(IReadOnlyList<ModelInput> inputs) =>
        inputs.Any(i => i.Shape.Count == 0)
        || inputs.Where(i => i.Shape[0] is not null).Select(i => i.Shape[0]).Distinct().Count() > 1;

    /// <summary>
    /// The outputs that make an input recurrent state: a float input shaped exactly like a model output (fixed and dynamic dims alike), with a dynamic
    /// dimension (the batch it shares with the data, as an exported LSTM's h/c have). An input of fully fixed shape is
    /// not taken for state: an operator test's second operand is often shaped like its output.
    /// </summary>
    private static IEnumerable<ValueInfoProto> StateOutputs(ModelInput input, IReadOnlyList<ValueInfoProto> outputs) =>
        input.ElementType is DataTypes.Float && input.Shape.Count > 0 && input.Shape.Any(d => d is null)
            ? outputs.Where(output =>
                output.Type?.TensorType is { } type && type.ElemType == input.ElementType && type.Shape is { } shape
                && shape.Dim.Count == input.Shape.Count
                && shape.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && d.DimValue > 0 ? d.DimValue : (long?)null)
                    .SequenceEqual(input.Shape))
            : [];
}
