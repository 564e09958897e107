using System.Collections;
using System.Collections.Concurrent;
using Microsoft.Build.Framework;

namespace Amct.Build.Tasks.Tests;

/// <summary>Collects what a task logs, as MSBuild would show it. Safe to read while the task runs on another thread.</summary>
internal sealed class FakeBuildEngine : IBuildEngine
{
    public ConcurrentQueue<BuildErrorEventArgs> Errors { get; } = [];
    public ConcurrentQueue<BuildWarningEventArgs> Warnings { get; } = [];
    public ConcurrentQueue<BuildMessageEventArgs> Messages { get; } = [];

    public bool ContinueOnError => false;
    public int LineNumberOfTaskNode => 0;
    public int ColumnNumberOfTaskNode => 0;
    public string ProjectFileOfTaskNode => "test.proj";

    public void LogErrorEvent(BuildErrorEventArgs e) => Errors.Enqueue(e);

    public void LogWarningEvent(BuildWarningEventArgs e) => Warnings.Enqueue(e);

    public void LogMessageEvent(BuildMessageEventArgs e) => Messages.Enqueue(e);

    public void LogCustomEvent(CustomBuildEventArgs e)
    {
    }

    public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs) =>
        throw new NotSupportedException();

    /// <summary>Errors as "file: code: message" lines, for assertion messages.</summary>
    public string ErrorText => string.Join(Environment.NewLine, Errors.Select(e => $"{e.File}: {e.Code}: {e.Message}"));

    public string MessageText => string.Join(Environment.NewLine, Messages.Select(m => m.Message));
}
