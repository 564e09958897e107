namespace Amct.Engine.Data;

/// <summary>A recurrent state input and the model output that holds its next value (an LSTM's h and hn).</summary>
/// <param name="Input">The state input.</param>
/// <param name="Output">The output fed back into it on the next sample.</param>
public sealed record StatePair(string Input, string Output)
{
    /// <summary>
    /// Pairs each state input with its output among the outputs shaped like it: the one whose name starts with the
    /// input's (h → hn, c → cn, state → stateN); else, when the state inputs and their candidate outputs are alike and
    /// as many, in declaration order. An input left ambiguous gets no pair (it stays zero on every run).
    /// </summary>
    /// <param name="states">The state inputs, in declaration order.</param>
    /// <param name="candidates">Per state input, the outputs shaped like it, in declaration order.</param>
    public static IReadOnlyList<StatePair> Match(IReadOnlyList<ModelInput> states, IReadOnlyDictionary<string, List<string>> candidates)
    {
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(candidates);
        var pairs = new List<StatePair>();
        foreach (var state in states)
        {
            var named = candidates[state.Name].Where(o => o.Length > state.Name.Length && o.StartsWith(state.Name, StringComparison.Ordinal)).ToList();
            if (named.Count == 1 && pairs.All(p => p.Output != named[0]))
            {
                pairs.Add(new StatePair(state.Name, named[0]));
            }
        }
        if (pairs.Count == states.Count)
        {
            return pairs;
        }
        var shared = candidates[states[0].Name];
        if (states.All(s => candidates[s.Name].SequenceEqual(shared)) && shared.Count == states.Count)
        {
            return states.Select((s, i) => new StatePair(s.Name, shared[i])).ToList();
        }
        return pairs;
    }
}
