namespace Amct.Engine.Quantization.Refinement;

/// <summary>What the search chose: per refined group the power of <see cref="NetworkRangeSearch.Ratio"/> its range is scaled by.</summary>
/// <param name="Steps">Group → steps (negative: a tighter clip); groups left as calibrated are absent.</param>
/// <param name="ScoreBefore">The network's score with the calibrated ranges.</param>
/// <param name="ScoreAfter">Its score with the chosen ones.</param>
/// <param name="Evaluations">How many candidate models were scored (the calibrated one included).</param>
public sealed record RangeRefinement(IReadOnlyDictionary<int, int> Steps, double ScoreBefore, double ScoreAfter, int Evaluations)
{
    /// <summary>The factor a group's calibrated range is multiplied by.</summary>
    public double ScaleOf(int group) => Math.Pow(NetworkRangeSearch.Ratio, Steps.GetValueOrDefault(group));
}

/// <summary>
/// Coordinate descent over activation tensor groups, scored at the network's outputs. The per-tensor range methods (and
/// the per-layer output-aware choice) each judge a clip by the error it causes locally, on the float input; a network's
/// decisions depend on how those errors add up through every later layer, which only the whole int8 model shows. So,
/// after a first search for one step common to every group, one group at a time, the group's range is scaled a step tighter, then a step wider, and kept where the whole
/// model's score rises by more than <see cref="MinGain"/> (a gain within run-to-run noise must not decide); a step that
/// helps is followed by more in the same direction. A round visits every group; rounds repeat while one changed
/// something. The order is fixed, so the same scores give the same choice.
/// </summary>
public static class NetworkRangeSearch
{
    /// <summary>One step scales a range by this (wider) or its inverse (tighter).</summary>
    public const double Ratio = 1.1;

    /// <summary>Most steps from the calibrated range in either direction (×0.75 … ×1.33): beyond, the range method was wrong, not a little off.</summary>
    public const int MaxSteps = 3;

    /// <summary>The smallest score gain (dB of output SQNR) that counts as better.</summary>
    public const double MinGain = 0.01;

    /// <param name="groups">The groups to refine, in the order they are visited (the plan's, inputs first).</param>
    /// <param name="score">
    /// The score (higher is better) of the model with each group's range scaled by <see cref="Ratio"/> to the power of its
    /// steps (a group not in the map: as calibrated).
    /// </param>
    /// <param name="rounds">Most passes over the groups.</param>
    public static RangeRefinement Run(IReadOnlyList<int> groups, Func<IReadOnlyDictionary<int, int>, double> score, int rounds)
    {
        var steps = new Dictionary<int, int>();
        var before = score(steps);
        var best = before;
        var evaluations = 1;
        // First every range together: where tensors pass values on unchanged (a copy, a pooling), one range finer than
        // the others gains nothing, as the values already sit on the others' coarser grid; only a common step shows it.
        foreach (var direction in new[] { -1, 1 })
        {
            var moved = false;
            for (var common = direction; Math.Abs(common) <= MaxSteps; common += direction)
            {
                var trial = groups.ToDictionary(g => g, _ => common);
                var candidate = score(trial);
                evaluations++;
                if (candidate <= best + MinGain)
                {
                    break;
                }
                (steps, best, moved) = (trial, candidate, true);
            }
            if (moved)
            {
                break;
            }
        }
        for (var round = 0; round < rounds; round++)
        {
            var changed = false;
            foreach (var group in groups)
            {
                foreach (var direction in new[] { -1, 1 })
                {
                    var moved = false;
                    while (Math.Abs(steps.GetValueOrDefault(group) + direction) <= MaxSteps)
                    {
                        var trial = new Dictionary<int, int>(steps) { [group] = steps.GetValueOrDefault(group) + direction };
                        var candidate = score(trial);
                        evaluations++;
                        if (candidate <= best + MinGain)
                        {
                            break;
                        }
                        (steps, best, moved, changed) = (trial, candidate, true, true);
                    }
                    if (moved)
                    {
                        break; // a tighter clip helped: no need to try a wider one
                    }
                }
            }
            if (!changed)
            {
                break;
            }
        }
        return new RangeRefinement(steps.Where(s => s.Value != 0).ToDictionary(s => s.Key, s => s.Value), before, best, evaluations);
    }
}
