using System.Runtime.InteropServices;

namespace VolumeDriver.Cli;

/// <summary>
/// SIGTERM (kubelet's timeout) and SIGINT (an operator's Ctrl-C) as the root cancellation token of a
/// run, remembering which signal came first so that the Failure reply can name it.
/// </summary>
internal sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private int _signal;

    /// <summary>Cancelled when a signal arrives.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>The first signal that arrived ("SIGTERM", "SIGINT"), or null when none did.</summary>
    public string? SignalName => Volatile.Read(ref _signal) switch
    {
        0 => null,
        var number => ((PosixSignal)number) switch
        {
            PosixSignal.SIGTERM => "SIGTERM",
            PosixSignal.SIGINT => "SIGINT",
            PosixSignal.SIGQUIT => "SIGQUIT",
            PosixSignal.SIGHUP => "SIGHUP",
            var other => $"signal {(int)other}",
        },
    };

    /// <summary>Records the signal (the first one wins) and cancels the token.</summary>
    public void Raise(PosixSignal signal)
    {
        Interlocked.CompareExchange(ref _signal, (int)signal, 0);
        _source.Cancel();
    }

    public void Dispose() => _source.Dispose();
}
