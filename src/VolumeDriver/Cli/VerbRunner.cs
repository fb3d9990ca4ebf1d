using System.CommandLine;
using System.CommandLine.Parsing;
using Microsoft.Extensions.Logging;
using VolumeDriver.Errors;
using VolumeDriver.FlexVolume;
using VolumeDriver.Logging;

namespace VolumeDriver.Cli;

/// <summary>
/// The one run path of every command that does work, kubelet's verbs and the operators' commands
/// alike: compose the services, run the command, print its one reply, log one line with the redacted
/// arguments, and dispose the services (which flushes the log) whatever happened. Every way a command
/// can end becomes exactly one reply:
/// <list type="bullet">
/// <item>an expected failure (<see cref="VolumeDriverException"/>): a Failure with its message;</item>
/// <item>SIGTERM or SIGINT (<see cref="Interruption"/>): a Failure naming the signal;</item>
/// <item>a time limit inside the command (a <see cref="TimeoutException"/>, or a cancellation nobody
/// asked for): a Failure saying it ran out of time;</item>
/// <item>anything else: a Failure "internal error: …", with the stack trace in the log, never on stdout.</item>
/// </list>
/// Every reply message has the secret values of the arguments blanked, since a message may quote one.
/// </summary>
internal sealed class VerbRunner
{
    private readonly ReplyWriter _replies;
    private readonly StandardInput _stdin;
    private readonly Func<CliSettings, CancellationToken, Task<VerbServices>> _compose;
    private readonly Interruption _interruption;
    private readonly TimeProvider _timeProvider;

    public VerbRunner(
        ReplyWriter replies,
        StandardInput stdin,
        Func<CliSettings, CancellationToken, Task<VerbServices>> compose,
        Interruption interruption,
        TimeProvider timeProvider)
    {
        _replies = replies;
        _stdin = stdin;
        _compose = compose;
        _interruption = interruption;
        _timeProvider = timeProvider;
    }

    /// <summary>The writer of the one reply; commands that print their own document write through it too.</summary>
    public ReplyWriter Replies => _replies;

    /// <summary>Runs a kubelet verb (or delete) on the configured backend and prints the reply it returns.</summary>
    public Task<int> RunAsync(ParseResult parse, string verb, CliSettings settings, Func<VerbServices, CancellationToken, Task<Reply>> body) =>
        RunAsync(parse, verb, settings, async (services, cancellationToken) => VerbOutcome.Replied(await body(services, cancellationToken)));

    /// <summary>Runs a command on the configured backend (list, migrate-vhd) that may print its own output.</summary>
    public Task<int> RunAsync(ParseResult parse, string verb, CliSettings settings, Func<VerbServices, CancellationToken, Task<VerbOutcome>> body) =>
        RunCoreAsync(parse, verb, async cancellationToken => await _compose(settings, cancellationToken), (services, cancellationToken) => body(services!, cancellationToken));

    /// <summary>
    /// Runs a command that needs no configured backend (doctor reports a broken configuration,
    /// install validates the one it is given). Its one log line, and the exception it ended with if
    /// any, go to the log that <paramref name="openLog"/> opens once the command has run: the
    /// configured log file, or none when the configuration cannot be read (the reply says why);
    /// null: a command that logs elsewhere (the provisioner mode, to stdout) writes nothing to a log file.
    /// </summary>
    public Task<int> RunWithoutServicesAsync(ParseResult parse, string verb, Func<CancellationToken, Task<LoggingSetup?>>? openLog, Func<CancellationToken, Task<VerbOutcome>> body) =>
        RunCoreAsync(parse, verb, _ => Task.FromResult<VerbServices?>(null), (_, cancellationToken) => body(cancellationToken), openLog);

    private async Task<int> RunCoreAsync(
        ParseResult parse,
        string verb,
        Func<CancellationToken, Task<VerbServices?>> compose,
        Func<VerbServices?, CancellationToken, Task<VerbOutcome>> body,
        Func<CancellationToken, Task<LoggingSetup?>>? openLog = null)
    {
        var started = _timeProvider.GetTimestamp();
        var cancellationToken = _interruption.Token;
        VerbServices? services = null;
        LoggingSetup? operatorLog = null;
        Unexpected? unexpected = null;
        try
        {
            VerbOutcome outcome;
            try
            {
                // A signal that came while the command line was parsed stops the command before it starts.
                cancellationToken.ThrowIfCancellationRequested();
                services = await compose(cancellationToken);
                outcome = await body(services, cancellationToken);
            }
            catch (Exception e) when (_interruption.SignalName is { } signal)
            {
                // Whatever the command was doing when the signal cut it short (a cancelled request, a
                // failure that the cancellation caused) is not the news for the caller, who stopped it;
                // the log keeps it, in case it was a failure of its own that the signal overtook.
                unexpected = new Unexpected(e, CliLog.VerbInterrupted);
                outcome = Failed($"{verb} was interrupted by {signal} before it finished; it is safe to run again");
            }
            catch (VolumeDriverException e)
            {
                outcome = Failed(e.Message);
            }
            catch (Exception e) when (RanOutOfTime(e) is { } cause)
            {
                unexpected = new Unexpected(e, CliLog.VerbRanOutOfTime);
                outcome = Failed($"{verb} ran out of time ({cause}); it is safe to run again");
            }
            catch (Exception e)
            {
                // The one place an unexpected exception ends: its stack trace goes to the log, and the
                // caller gets one Failure it can read.
                unexpected = new Unexpected(e, CliLog.VerbCrashed);
                outcome = Failed($"internal error: {e.GetType().Name}: {e.Message}; see the log file for details");
            }

            if (services is null && openLog is not null)
            {
                // Opened after the command, not before: a broken configuration is doctor's news to
                // report, not a reason to fail. A local file read, so not cut short by a signal.
                operatorLog = await openLog(CancellationToken.None);
            }

            var logger = services is not null ? Logger(services) : operatorLog is not null ? Logger(operatorLog.LoggerFactory) : null;
            if (logger is not null && unexpected is { } record)
            {
                // Before the outcome line, in the log the command has: the verbs' own, or doctor's and
                // install's once it is open.
                record.Log(logger, record.Exception, verb);
            }

            return Finish(parse, verb, logger, outcome, started);
        }
        finally
        {
            if (services is not null)
            {
                await services.DisposeAsync();
            }

            operatorLog?.Dispose();
        }
    }

    /// <summary>Prints the outcome's reply (secrets blanked) and logs the one line, when there is a log.</summary>
    private int Finish(ParseResult parse, string verb, ILogger? logger, VerbOutcome outcome, long started)
    {
        var exitCode = outcome.ExitCode;
        var detail = outcome.Detail;
        if (outcome.Reply is { } reply)
        {
            var secrets = ArgumentRedactor.SecretValues(parse.Tokens.Select(t => t.Value).Append(_stdin.Content ?? string.Empty));
            if (reply.Message is { } message && secrets.Count > 0)
            {
                reply = reply.WithMessage(ArgumentRedactor.Scrub(message, secrets));
            }

            exitCode = _replies.Write(reply);
            detail = reply.Message is null ? "" : ": " + reply.Message;
        }

        if (logger is not null)
        {
            var durationMs = _timeProvider.GetElapsedTime(started).TotalMilliseconds;
            var arguments = ArgumentRedactor.Redact(parse.Tokens.Where(t => t.Type != TokenType.Command).Select(t => t.Value).ToList());
            var status = ReplyWriter.StatusText(outcome.Status);
            CliLog.VerbCompleted(logger, verb, arguments, status, durationMs, detail);
        }

        return exitCode;
    }

    private static VerbOutcome Failed(string message) => VerbOutcome.Replied(Reply.Failure(message));

    /// <summary>
    /// What ran out of time when <paramref name="exception"/> is a time limit inside the command: a
    /// <see cref="TimeoutException"/> anywhere in its chain, or a cancellation that no signal asked for
    /// (a linked deadline token, HttpClient's timeout). Null for anything else.
    /// </summary>
    private static string? RanOutOfTime(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is TimeoutException timeout)
            {
                return timeout.Message.TrimEnd('.');
            }
        }

        return exception is OperationCanceledException cancelled ? cancelled.Message.TrimEnd('.') : null;
    }

    /// <summary>An exception the command ended with that the log must keep, and the log entry it goes into.</summary>
    private sealed record Unexpected(Exception Exception, Action<ILogger, Exception, string> Log);

    private static ILogger Logger(VerbServices services) => Logger(services.LoggerFactory);

    private static ILogger Logger(ILoggerFactory loggers) => loggers.CreateLogger("VolumeDriver.Verb");
}
