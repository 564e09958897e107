using Amct.Engine.Data;
using Microsoft.ML.OnnxRuntime;

namespace Amct.Engine.Onnx;

/// <summary>
/// Steps the float model over a stream of samples for <see cref="CarriedStateSource"/>: one run per sample, on one
/// thread so the carried state (and every range calibrated on it) is the same from run to run.
/// </summary>
internal sealed class FloatStateStepper : IStateStepper, IDisposable
{
    private readonly ModelSession _session;
    private readonly string[] _outputs;

    public FloatStateStepper(ModelProto model, string source, IReadOnlyList<StatePair> states)
    {
        States = states;
        _outputs = states.Select(s => s.Output).ToArray();
        _session = ModelSession.OpenWithThreads(model, source, ModelOrigin.User, intraOpThreads: 1);
    }

    public IReadOnlyList<StatePair> States { get; }

    public IReadOnlyDictionary<string, TensorProto> StateAfter(IReadOnlyDictionary<string, TensorProto> feed)
    {
        var names = feed.Keys.ToList();
        var values = names.Select(n => OrtTensors.ToOrtValue(feed[n], n)).ToList();
        try
        {
            using var runOptions = new RunOptions();
            using var results = _session.Session.Run(runOptions, names, values, _outputs);
            return States.Select((state, i) => (state.Input, Value: OrtTensors.ToTensorProto(results[i], state.Input)))
                .ToDictionary(p => p.Input, p => p.Value, StringComparer.Ordinal);
        }
        finally
        {
            values.ForEach(v => v.Dispose());
        }
    }

    public void Dispose() => _session.Dispose();
}
