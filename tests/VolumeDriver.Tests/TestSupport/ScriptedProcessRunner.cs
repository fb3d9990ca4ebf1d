using VolumeDriver.Host;

namespace VolumeDriver.Tests.TestSupport;

/// <summary>
/// A process runner that expects an exact sequence of commands (tool and argv) and answers each
/// with a scripted result, like azuredisk's fake mounter. An unexpected command fails the test.
/// </summary>
internal sealed class ScriptedProcessRunner : IProcessRunner
{
    private readonly Queue<(string Tool, string[] Arguments, ProcessResult Result, Action? SideEffect)> _script = new();
    private readonly List<string> _ran = [];

    /// <summary>Every command run so far, as "tool arg1 arg2".</summary>
    public IReadOnlyList<string> Ran => _ran;

    /// <param name="sideEffect">What the command does to the (fake) system when it runs, such as a sysfs value changing.</param>
    public ScriptedProcessRunner Expect(string tool, string[] arguments, int exitCode = 0, string stdout = "", string stderr = "", Action? sideEffect = null)
    {
        _script.Enqueue((tool, arguments, new ProcessResult(exitCode, stdout, stderr, TimeSpan.Zero), sideEffect));
        return this;
    }

    /// <summary>Fails when some expected commands were never run.</summary>
    public void VerifyAllRan()
    {
        Assert.True(_script.Count == 0, $"expected commands not run: {string.Join("; ", _script.Select(s => s.Tool + " " + string.Join(' ', s.Arguments)))}");
    }

    public Task<ProcessResult> RunAsync(string tool, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var line = tool + " " + string.Join(' ', arguments);
        _ran.Add(line);
        Assert.True(_script.Count > 0, $"unexpected command: {line}");
        var (expectedTool, expectedArguments, result, sideEffect) = _script.Dequeue();
        Assert.Equal(expectedTool + " " + string.Join(' ', expectedArguments), line);
        Assert.Equal(expectedArguments, arguments);
        sideEffect?.Invoke();
        return Task.FromResult(result);
    }
}
