// The process entry point. Program.cs and Composition.cs are the only places that touch the
// process's standard streams and create services.
#pragma warning disable RS0030 // System.Console is banned everywhere else: stdout is kubelet's protocol.
using System.Runtime.InteropServices;
using VolumeDriver;
using VolumeDriver.Cli;
using VolumeDriver.FlexVolume;

// SIGTERM (kubelet's timeout) must always get a reply, so the handlers come before anything else:
// until they are registered, the runtime's default ends the process silently. The handler cancels
// the verb's token so it can stop and reply; if the verb does not wind down in time, the watchdog
// replies and exits anyway, since kubelet waits for the pipe to close.
using var stdout = Console.OpenStandardOutput();
using var interruption = new Interruption();
ReplyWriter? replies = null;
ITimer? watchdog = null;
void Interrupt(PosixSignalContext context)
{
    context.Cancel = true;
    interruption.Raise(context.Signal);
    watchdog ??= TimeProvider.System.CreateTimer(
        _ =>
        {
            // Exit with the code of whatever reply stdout holds (a Success may have just been written).
            var writer = replies ?? new ReplyWriter(stdout, indented: false);
            Environment.Exit(writer.Write(Reply.Failure($"interrupted by {context.Signal} and did not stop within 10 s; it is safe to run again")));
        },
        null,
        TimeSpan.FromSeconds(10),
        Timeout.InfiniteTimeSpan);
}

using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);

// kubelet runs init at every probe of the plugin directory, and a slow init stalls every volume
// lookup on the node: answer it from constant bytes without loading configuration, logging or the
// command-line parser. A test checks these bytes against ReplyWriter's output for the same reply.
// A SIGTERM meanwhile is held off by the handler above until these bytes are written.
if (args is [VerbNames.Init])
{
    stdout.Write(InitReply.Bytes);
    return 0;
}

replies = new ReplyWriter(stdout, DriverCli.WantsPretty(args));
return await RunAsync(args, stdout, replies, interruption);

static async Task<int> RunAsync(string[] args, Stream stdout, ReplyWriter replies, Interruption interruption)
{
    var verbose = args.Contains("--verbose", StringComparer.Ordinal);
    if (!verbose)
    {
        // kubelet reads stderr as part of the reply: nothing managed may write there.
        Console.SetError(TextWriter.Null);
    }

    AppDomain.CurrentDomain.UnhandledException += (_, e) =>
    {
        // Only reachable from a thread we do not own; write the one reply before the runtime prints a trace.
        Environment.Exit(replies.Write(Reply.Failure($"internal error: {(e.ExceptionObject as Exception)?.GetType().Name ?? "unknown"}; see the log file")));
    };

    try
    {
        var cli = new DriverCli(
            stdout,
            replies,
            new StandardInput(Console.OpenStandardInput, () => VolumeDriver.Host.InheritedDescriptor.IsInherited(0)),
            (settings, cancellationToken) => Composition.CreateVerbServicesAsync(settings, TimeProvider.System, cancellationToken),
            TimeProvider.System,
            Composition.CreateOperatorServices(),
            interruption,
            (settings, cancellationToken) => Composition.RunProvisionerAsync(settings, stdout, TimeProvider.System, cancellationToken));
        return await cli.RunAsync(args);
    }
    catch (Exception e)
    {
        // The last resort: every command runs in VerbRunner, which turns whatever it throws into one
        // Failure; this catches only what fails around it (parsing, help), never with a stack trace.
        return replies.Write(Reply.Failure($"internal error: {e.GetType().Name}: {e.Message}; see the log file for details"));
    }
}
