namespace Amct.Engine.Formats;

/// <summary>The config names of the activation algorithms and which algorithm-specific parameters each one uses.</summary>
public static class ActivationAlgorithms
{
    /// <summary>The <c>act_algo</c> values, in the order messages list them.</summary>
    public static IReadOnlyList<KeyValuePair<string, ActivationAlgorithm>> Names { get; } =
    [
        new("ifmr", ActivationAlgorithm.Ifmr),
        new("hfmg", ActivationAlgorithm.Hfmg),
        new("minmax", ActivationAlgorithm.MinMax),
        new("percentile", ActivationAlgorithm.Percentile),
        new("entropy", ActivationAlgorithm.Entropy),
    ];

    /// <summary>The <c>act_algo</c> value of an algorithm.</summary>
    public static string NameOf(ActivationAlgorithm algorithm) => Names.First(entry => entry.Value == algorithm).Key;

    /// <summary>
    /// Whether <paramref name="algorithm"/> uses the parameter. AMCT ties the percentiles, search range and step to
    /// IFMR and the bin count to HFMG; Percentile takes the percentiles, Entropy (a histogram method) the bin count,
    /// and MinMax takes none.
    /// </summary>
    public static bool Uses(ActivationAlgorithm algorithm, string parameter) => parameter switch
    {
        "max_percentile" or "min_percentile" => algorithm is ActivationAlgorithm.Ifmr or ActivationAlgorithm.Percentile,
        "search_range" or "search_step" => algorithm is ActivationAlgorithm.Ifmr,
        "num_of_bins" => algorithm is ActivationAlgorithm.Hfmg or ActivationAlgorithm.Entropy,
        _ => true,
    };

    /// <summary>The algorithms that use the parameter, as config names, for messages.</summary>
    internal static string UsersOf(string parameter) =>
        string.Join(" and ", Names.Where(entry => Uses(entry.Value, parameter)).Select(entry => entry.Key));
}
