using System.Xml.Linq;
using Amct.Engine.Pipeline;
using Amct.TestSupport;

namespace Amct.Build.Tasks.Tests;

/// <summary>
/// The targets spell the job and result file names (they add them to FileWrites before the task runs); the task and
/// the worker take them from <see cref="OutputNames"/>. This keeps the two spellings one fact.
/// </summary>
[TestClass]
public sealed class OutputNamesTests
{
    [TestMethod]
    public void The_targets_name_the_job_and_result_files_as_the_task_does()
    {
        var targets = XDocument.Load(Path.Combine(SharedData.RepositoryRoot, "build", "Amct.Build.targets"));
        string Property(string name) =>
            targets.Descendants().Single(e => e.Name.LocalName == name).Value;

        Assert.AreEqual("$(AmctIntermediateOutputPath)" + OutputNames.JobFileName, Property("_AmctJobFile"));
        Assert.AreEqual("$(AmctIntermediateOutputPath)" + OutputNames.ResultFileName, Property("_AmctResultFile"));
    }

    [TestMethod]
    [DataRow("../x")]
    [DataRow("/abs")]
    [DataRow("a\\b")]
    [DataRow("c:x")]
    [DataRow("a\0b")]
    [DataRow("a\nb")]
    [DataRow("  ")]
    public void Output_names_that_are_not_plain_file_names_have_a_problem(string name) =>
        Assert.IsNotNull(OutputNames.NameProblem(name));

    [TestMethod]
    [DataRow("digits")]
    [DataRow("squeezenet1.1")]
    [DataRow("..")]
    public void Plain_names_have_none(string name) => Assert.IsNull(OutputNames.NameProblem(name));
}
