namespace Amct.Engine.Calibration;

/// <summary>
/// Finds the lowest-cost candidate of an ordered sequence coarse to fine: every k-th candidate first (about 64 of
/// them), then every candidate within k of the best. The range searches here (HFMG's shrinking windows, the KL
/// thresholds) have costs that change smoothly along their sequence, so this lands on the true minimum or next to it
/// at a small fraction of the cost of trying thousands of candidates, each O(bins).
/// </summary>
public static class CandidateSearch
{
    public static int Best(int count, Func<int, double> cost)
    {
        var stride = Math.Max(1, count / 64);
        var best = 0;
        var bestCost = double.PositiveInfinity;
        void Try(int i)
        {
            var c = cost(i);
            if (c < bestCost)
            {
                bestCost = c;
                best = i;
            }
        }
        for (var i = 0; i < count; i += stride)
        {
            Try(i);
        }
        Try(count - 1);
        var center = best;
        for (var i = Math.Max(0, center - stride + 1); i <= Math.Min(count - 1, center + stride - 1); i++)
        {
            Try(i);
        }
        return best;
    }
}
