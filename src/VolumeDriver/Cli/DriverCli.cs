using System.CommandLine;
using System.Text;
using Microsoft.Extensions.Logging;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.FlexVolume;

namespace VolumeDriver.Cli;

/// <summary>
/// The command line: kubelet's verbs with their exact argv shapes, the operators' options and verbs
/// on top, and the rules that keep stdout one JSON object: unknown and not-supported verbs are
/// answered before parsing (kubelet caches Not supported, so it must not depend on the arguments),
/// and a parse error is a Failure reply, never usage text.
/// </summary>
internal sealed class DriverCli
{
    private readonly Stream _stdout;
    private readonly ReplyWriter _replies;
    private readonly StandardInput _stdin;
    private readonly Func<CliSettings, CancellationToken, Task<VerbServices>> _compose;
    private readonly TimeProvider _timeProvider;
    private readonly OperatorServices _operators;

    /// <param name="stdout">Where help and version text go (operators only).</param>
    /// <param name="replies">The writer of the one JSON reply, shared with the process's last-resort handler.</param>
    /// <param name="operators">What the operator commands doctor and install run with.</param>
    public DriverCli(
        Stream stdout,
        ReplyWriter replies,
        StandardInput stdin,
        Func<CliSettings, CancellationToken, Task<VerbServices>> compose,
        TimeProvider timeProvider,
        OperatorServices operators)
    {
        _stdout = stdout;
        _replies = replies;
        _stdin = stdin;
        _compose = compose;
        _timeProvider = timeProvider;
        _operators = operators;
    }

    /// <summary>True when the arguments ask for indented JSON (read before parsing, for every exit path).</summary>
    public static bool WantsPretty(IReadOnlyList<string> args) => args.Contains("--pretty", StringComparer.Ordinal);

    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var replies = _replies;
        var verb = FindVerb(args);
        var wantsHelp = args.Any(a => a is "--help" or "-h" or "-?" or "--version");

        if (!wantsHelp)
        {
            if (verb is null)
            {
                return replies.Write(Reply.Failure("no verb given; run volume-driver --help to see the verbs"));
            }

            if (VerbNames.NotSupported.TryGetValue(verb, out var reason))
            {
                return replies.Write(Reply.NotSupported($"{verb} is not supported: {reason}"));
            }

            if (!VerbNames.Implemented.Contains(verb) && !VerbNames.OperatorCommands.Contains(verb))
            {
                return replies.Write(Reply.NotSupported($"unknown verb '{PrintableText.Of(verb)}'"));
            }
        }

        var root = BuildCommands(replies);
        var parse = root.Parse(args, new ParserConfiguration { EnablePosixBundling = false, ResponseFileTokenReplacer = null });
        if (parse.Errors.Count > 0)
        {
            var problems = string.Join("; ", parse.Errors.Select(e => e.Message.TrimEnd('.')));
            return replies.Write(Reply.Failure($"{verb}: {problems}; run volume-driver {verb} --help for its arguments"));
        }

        await using var text = new StreamWriter(_stdout, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true) { AutoFlush = true };
        return await parse.InvokeAsync(
            new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                // SIGTERM is turned into cancellation by Program.cs, which owns the root token.
                ProcessTerminationTimeout = null,
                Output = text,
                Error = text,
            },
            cancellationToken);
    }

    /// <summary>The first argument that is not a global option (or the value of --config).</summary>
    private static string? FindVerb(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--config":
                    i++;
                    continue;
                case "--pretty" or "--verbose":
                    continue;
                case var option when option.StartsWith("--config=", StringComparison.Ordinal):
                    continue;
                default:
                    return args[i];
            }
        }

        return null;
    }

    private RootCommand BuildCommands(ReplyWriter replies)
    {
        var globals = new GlobalOptions();
        var root = new RootCommand(
            "volume-driver: a Kubernetes FlexVolume driver for persistent block volumes (loop files today). " +
            "kubelet runs it with one verb per call; every verb prints exactly one JSON object on stdout.");
        root.Directives.Clear();
        root.Options.Add(globals.Config);
        root.Options.Add(globals.Pretty);
        root.Options.Add(globals.Verbose);

        var init = new Command(VerbNames.Init, "Report the driver's capabilities (instant, no side effects)");
        init.SetAction((_, _) => Task.FromResult(replies.Write(Reply.Initialized(DriverCapabilities.Current))));
        root.Subcommands.Add(init);

        var attachOptions = JsonArgument();
        var attachNode = NodeArgument();
        var attach = new Command(VerbNames.Attach, "Create the disk if needed and attach it to the node; prints the device path") { attachOptions, attachNode };
        attach.SetAction((parse, ct) => RunVerbAsync(parse, globals, replies, VerbNames.Attach, async (services, token) =>
            await services.AttachDetach.AttachAsync(await ReadJsonAsync(parse, attachOptions, token), parse.GetRequiredValue(attachNode), token), ct));
        root.Subcommands.Add(attach);

        var waitDevice = new Argument<string>("devicePath") { Description = "The device path attach returned (may be \"\")" };
        var waitOptions = JsonArgument();
        var waitForAttach = new Command(VerbNames.WaitForAttach, "Wait on the node until the disk's device appears; prints its path") { waitDevice, waitOptions };
        waitForAttach.SetAction((parse, ct) => RunVerbAsync(parse, globals, replies, VerbNames.WaitForAttach, async (services, token) =>
            await services.DeviceMount.WaitForAttachAsync(parse.GetRequiredValue(waitDevice), await ReadJsonAsync(parse, waitOptions, token), token), ct));
        root.Subcommands.Add(waitForAttach);

        var isAttachedFirst = new Argument<string>("json|nodeName") { Description = "The options JSON (or, from older kubelets, the node name)" };
        var isAttachedSecond = new Argument<string>("nodeName|json") { Description = "The node name (or, from older kubelets, the options JSON)" };
        var isAttached = new Command(VerbNames.IsAttached, "Tell whether the disk is attached to the node (either argument order)") { isAttachedFirst, isAttachedSecond };
        isAttached.SetAction((parse, ct) => RunVerbAsync(parse, globals, replies, VerbNames.IsAttached, async (services, token) =>
            await services.AttachDetach.IsAttachedAsync(
                await _stdin.ResolveAsync(parse.GetRequiredValue(isAttachedFirst), "json", token),
                await _stdin.ResolveAsync(parse.GetRequiredValue(isAttachedSecond), "json", token),
                token), ct));
        root.Subcommands.Add(isAttached);

        var mountPath = MountPathArgument();
        var mountDevicePath = new Argument<string>("devicePath") { Description = "The device waitforattach returned" };
        var mountOptions = JsonArgument();
        var mountDevice = new Command(VerbNames.MountDevice, "Format the device if (and only if) it is blank, and mount it at deviceMountPath") { mountPath, mountDevicePath, mountOptions };
        mountDevice.SetAction((parse, ct) => RunVerbAsync(parse, globals, replies, VerbNames.MountDevice, async (services, token) =>
            await services.DeviceMount.MountDeviceAsync(parse.GetRequiredValue(mountPath), parse.GetRequiredValue(mountDevicePath), await ReadJsonAsync(parse, mountOptions, token), token), ct));
        root.Subcommands.Add(mountDevice);

        var unmountPath = MountPathArgument();
        var unmountDevice = new Command(VerbNames.UnmountDevice, "Unmount deviceMountPath (success when nothing is mounted there)") { unmountPath };
        unmountDevice.SetAction((parse, ct) => RunVerbAsync(parse, globals, replies, VerbNames.UnmountDevice, (services, token) =>
            services.DeviceMount.UnmountDeviceAsync(parse.GetRequiredValue(unmountPath), token), ct));
        root.Subcommands.Add(unmountDevice);

        var detachName = new Argument<string>("pvOrVolumeName") { Description = "The PV or volume name (not a device)" };
        var detachNode = NodeArgument();
        var detach = new Command(VerbNames.Detach, "Detach the disk from the node (success when it is not attached)") { detachName, detachNode };
        detach.SetAction((parse, ct) => RunVerbAsync(parse, globals, replies, VerbNames.Detach, (services, token) =>
            services.AttachDetach.DetachAsync(parse.GetRequiredValue(detachName), parse.GetRequiredValue(detachNode), token), ct));
        root.Subcommands.Add(detach);

        var expandOptions = JsonArgument();
        var expandPath = MountPathArgument();
        var (expandNew, expandOld) = SizeArguments();
        var expandVolume = new Command(VerbNames.ExpandVolume, "Grow the disk to newSizeBytes (never shrinks; success when it already has that size)") { expandOptions, expandPath, expandNew, expandOld };
        expandVolume.SetAction((parse, ct) => RunVerbAsync(parse, globals, replies, VerbNames.ExpandVolume, async (services, token) =>
            await services.AttachDetach.ExpandVolumeAsync(await ReadJsonAsync(parse, expandOptions, token), parse.GetRequiredValue(expandPath), parse.GetRequiredValue(expandNew), parse.GetRequiredValue(expandOld), token), ct));
        root.Subcommands.Add(expandVolume);

        var growOptions = JsonArgument();
        var growDevice = new Argument<string>("devicePath") { Description = "The volume's device on this node" };
        var growPath = MountPathArgument();
        var (growNew, growOld) = SizeArguments();
        var expandFs = new Command(VerbNames.ExpandFs, "On the node: grow the volume's mounted ext4 or xfs filesystem online to fill its grown disk") { growOptions, growDevice, growPath, growNew, growOld };
        expandFs.SetAction((parse, ct) => RunVerbAsync(parse, globals, replies, VerbNames.ExpandFs, async (services, token) =>
            await services.DeviceMount.ExpandFsAsync(await ReadJsonAsync(parse, growOptions, token), parse.GetRequiredValue(growDevice), parse.GetRequiredValue(growPath), parse.GetRequiredValue(growNew), parse.GetRequiredValue(growOld), token), ct));
        root.Subcommands.Add(expandFs);

        var deleteName = new Argument<string>("volumeName") { Description = "The volume to delete; it must be detached" };
        var delete = new Command(VerbNames.Delete, "Operators: delete a detached disk by name (success when it does not exist)") { deleteName };
        delete.SetAction((parse, ct) => RunVerbAsync(parse, globals, replies, VerbNames.Delete, (services, token) =>
            services.AttachDetach.DeleteAsync(parse.GetRequiredValue(deleteName), token), ct));
        root.Subcommands.Add(delete);

        new OperatorCommands(replies, _operators, _compose, _timeProvider).AddTo(root, globals.Config, globals.Verbose);

        foreach (var (name, reason) in VerbNames.NotSupported)
        {
            var ignored = new Argument<string[]>("arguments") { Arity = ArgumentArity.ZeroOrMore };
            var command = new Command(name, $"Answers Not supported: {reason}") { ignored };
            command.SetAction((_, _) => Task.FromResult(replies.Write(Reply.NotSupported($"{name} is not supported: {reason}"))));
            root.Subcommands.Add(command);
        }

        return root;
    }

    private static Argument<string> JsonArgument() => new("json") { Description = "The options JSON object (or - to read it from stdin)" };

    private static Argument<string> NodeArgument() => new("nodeName") { Description = "The Kubernetes node name" };

    private static Argument<string> MountPathArgument() => new("deviceMountPath") { Description = "The absolute directory kubelet mounts the device on" };

    private static (Argument<string> NewSize, Argument<string> OldSize) SizeArguments() =>
        (new(SizeArgument.NewSize) { Description = "The size to grow to, in bytes" }, new(SizeArgument.OldSize) { Description = "The size the volume had, in bytes" });

    private Task<string> ReadJsonAsync(ParseResult parse, Argument<string> argument, CancellationToken cancellationToken) =>
        _stdin.ResolveAsync(parse.GetRequiredValue(argument), argument.Name, cancellationToken);

    /// <summary>
    /// Runs one verb: composes its services, runs it, writes the reply and logs one line with the
    /// redacted arguments, outcome and duration. Expected failures become Failure replies here;
    /// anything unexpected is logged and left to the process's last-resort handler.
    /// </summary>
    private async Task<int> RunVerbAsync(ParseResult parse, GlobalOptions globals, ReplyWriter replies, string verb, Func<VerbServices, CancellationToken, Task<Reply>> body, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        var settings = new CliSettings(parse.GetValue(globals.Config), parse.GetValue(globals.Verbose));
        VerbServices? services = null;
        Reply reply;
        try
        {
            services = await _compose(settings, cancellationToken);
            reply = await body(services, cancellationToken);
        }
        catch (VolumeDriverException e)
        {
            reply = Reply.Failure(e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            reply = Reply.Failure($"{verb} was interrupted (SIGTERM or SIGINT) before it finished; it is safe to run again");
        }
        catch (Exception e) when (LogCrash(services, verb, e))
        {
            throw;
        }

        // A message may quote an argument (a JSON given where a name belongs): blank every secret value.
        var secrets = ArgumentRedactor.SecretValues(parse.Tokens.Select(t => t.Value).Append(_stdin.Content ?? string.Empty));
        if (reply.Message is { } message && secrets.Count > 0)
        {
            reply = reply.WithMessage(ArgumentRedactor.Scrub(message, secrets));
        }

        var exitCode = replies.Write(reply);
        if (services is not null)
        {
            var durationMs = _timeProvider.GetElapsedTime(started).TotalMilliseconds;
            var logger = services.LoggerFactory.CreateLogger("VolumeDriver.Verb");
            var arguments = ArgumentRedactor.Redact(parse.Tokens.Where(t => t.Type != System.CommandLine.Parsing.TokenType.Command).Select(t => t.Value).ToList());
            var status = ReplyWriter.StatusText(reply.Status);
            var detail = reply.Message is null ? "" : ": " + reply.Message;
            CliLog.VerbCompleted(logger, verb, arguments, status, durationMs, detail);
            await services.DisposeAsync();
        }

        return exitCode;
    }

    /// <summary>An exception filter that records an unexpected failure and lets it propagate.</summary>
    private static bool LogCrash(VerbServices? services, string verb, Exception exception)
    {
        if (services is not null)
        {
            CliLog.VerbCrashed(services.LoggerFactory.CreateLogger("VolumeDriver.Verb"), exception, verb);
        }

        return false;
    }

    /// <summary>
    /// The options every verb takes. Built only when a verb is parsed, so the Not supported answers
    /// never load the command-line parser.
    /// </summary>
    private sealed class GlobalOptions
    {
        public Option<string?> Config { get; } = new("--config")
        {
            Description = "The configuration file (default: $VOLUME_DRIVER_CONFIG, config.yaml beside the executable, /etc/volume-driver/config.yaml)",
            Recursive = true,
        };

        public Option<bool> Pretty { get; } = new("--pretty")
        {
            Description = "Indent the JSON reply for people",
            Recursive = true,
        };

        public Option<bool> Verbose { get; } = new("--verbose")
        {
            Description = "Also write the log to stderr (operators only: kubelet reads stderr as part of the reply)",
            Recursive = true,
        };
    }
}
