using System.Diagnostics;
using Amct.TestSupport;

namespace Amct.Cli.Tests.Fuzz;

/// <summary>
/// Issue 11's fuzz category: hostile models (crafted and byte-mutated), data files, external data, special files,
/// option values and job files through the real CLI (its entry point in this process, and a sample as separate amct processes). Opt-in and
/// deterministic (fixed seeds); runs in about two minutes (a six-minute time box):
/// <c>dotnet test tests/Amct.Cli.Tests --filter "TestCategory=Fuzz"</c>.
/// </summary>
[TestClass]
public sealed class FuzzTests
{
    // Generous: about two minutes on an idle 2-core machine, and a busy one must still get through the campaign.
    private static readonly TimeSpan TimeBox = TimeSpan.FromMinutes(6);
    private static readonly TimeSpan PerRun = TimeSpan.FromSeconds(60);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [TestCategory(TestCategories.OptIn)]
    [TestCategory(TestCategories.Fuzz)]
    public void Hostile_inputs_give_coded_errors_and_leave_nothing_behind()
    {
        var sessionFoldersBefore = SessionFolders();
        var runner = new FuzzRunner(PerRun);
        var runs = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var failures = new List<string>();
        var cases = FuzzCases.All(mutatedModels: 300, editedModels: 300, mutatedData: 200, mutatedJobs: 100).ToList();
        var watch = Stopwatch.StartNew();
        var done = 0;
        using (var temp = new TempFolder())
        {
            foreach (var fuzzCase in cases)
            {
                if (watch.Elapsed > TimeBox)
                {
                    break;
                }
                var folder = temp.File($"run{done:D4}");
                var (outcome, problems) = runner.Run(fuzzCase, folder);
                runs[fuzzCase.Class] = runs.GetValueOrDefault(fuzzCase.Class) + 1;
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
                failures.AddRange(problems.Select(p => $"[{fuzzCase.Class}] {fuzzCase.Name}: {p}"));
                done++;
                TryDelete(folder);
            }
        }
        var leftovers = SessionFolders().Except(sessionFoldersBefore).ToList();
        if (leftovers.Count > 0)
        {
            failures.Add("temporary session folders left behind: " + string.Join(", ", leftovers));
        }

        TestContext.WriteLine($"fuzz: {done} of {cases.Count} runs in {watch.Elapsed.TotalSeconds:0} s " +
            $"({cases.Count(c => !c.InProcess)} as separate amct processes)");
        foreach (var (fuzzClass, count) in runs)
        {
            TestContext.WriteLine($"  runs  {fuzzClass,-16} {count,5}");
        }
        foreach (var (outcome, count) in outcomes)
        {
            TestContext.WriteLine($"  outcome {outcome,-14} {count,5}");
        }
        Assert.IsEmpty(failures, string.Join("\n", failures));
        Assert.IsGreaterThan(cases.Count / 2, done, "the time box cut the campaign to less than half");
    }

    private static HashSet<string> SessionFolders() =>
        Directory.EnumerateDirectories(Path.GetTempPath(), "amct-session-*").ToHashSet(StringComparer.Ordinal);

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
