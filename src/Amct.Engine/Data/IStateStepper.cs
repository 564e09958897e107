using Amct.Engine.Onnx;

namespace Amct.Engine.Data;

/// <summary>Runs the float model one step: the next value of every carried state input, from one sample's full feed.</summary>
public interface IStateStepper
{
    /// <summary>The state pairs the stepper carries.</summary>
    IReadOnlyList<StatePair> States { get; }

    /// <summary>State input name to its value after <paramref name="feed"/> (the paired outputs, renamed to the inputs).</summary>
    IReadOnlyDictionary<string, TensorProto> StateAfter(IReadOnlyDictionary<string, TensorProto> feed);
}
