using System.CommandLine;
using System.Text;
using VolumeDriver.Domain;
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
    private readonly OperatorServices _operators;
    private readonly Interruption _interruption;
    private readonly VerbRunner _runner;
    private readonly Func<ProvisionerSettings, CancellationToken, Task<int>>? _provisioner;

    /// <param name="stdout">Where help and version text go (operators only).</param>
    /// <param name="replies">The writer of the one JSON reply, shared with the process's last-resort handler.</param>
    /// <param name="operators">What the operator commands doctor and install run with.</param>
    /// <param name="interruption">SIGTERM and SIGINT, which every command's Failure names when they cut it short.</param>
    /// <param name="provisioner">Runs the provisioner mode (<see cref="ProvisionerCommand"/>); null where a test does not need it.</param>
    public DriverCli(
        Stream stdout,
        ReplyWriter replies,
        StandardInput stdin,
        Func<CliSettings, CancellationToken, Task<VerbServices>> compose,
        TimeProvider timeProvider,
        OperatorServices operators,
        Interruption interruption,
        Func<ProvisionerSettings, CancellationToken, Task<int>>? provisioner = null)
    {
        _stdout = stdout;
        _replies = replies;
        _stdin = stdin;
        _operators = operators;
        _interruption = interruption;
        _runner = new VerbRunner(replies, stdin, compose, interruption, timeProvider);
        _provisioner = provisioner;
    }

    /// <summary>True when the arguments ask for indented JSON (read before parsing, for every exit path).</summary>
    public static bool WantsPretty(IReadOnlyList<string> args) => args.Contains("--pretty", StringComparer.Ordinal);

    public async Task<int> RunAsync(IReadOnlyList<string> args)
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

        // Help lists every command; a verb's run needs its own command only among those that cost
        // start-up work to build (see BuildCommands).
        var root = BuildCommands(replies, wantsHelp ? null : verb);
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
                // SIGTERM and SIGINT are turned into cancellation by Program.cs, through the Interruption.
                ProcessTerminationTimeout = null,
                Output = text,
                Error = text,
            },
            _interruption.Token);
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

    /// <param name="verb">
    /// The verb to be run, or null to build every command (for help). kubelet's verbs, which kubelet
    /// starts many times a minute, are built without the operator commands, the provisioner mode and
    /// the Not supported verbs beside them: building those runs code no kubelet verb otherwise needs
    /// (about 0.14 MiB of peak RSS where a verb's arguments fail to parse), and every method a verb
    /// runs must be in eng/startup-order.txt to stay in the compact start-up block. Leaving out
    /// sibling commands does not change how a verb's arguments parse: once the parser has read a
    /// verb, it recognises only that verb's arguments and the global options.
    /// </param>
    private RootCommand BuildCommands(ReplyWriter replies, string? verb)
    {
        var globals = new GlobalOptions();
        var root = new RootCommand(
            "volume-driver: a Kubernetes FlexVolume driver for persistent block volumes: loop image files on this " +
            "machine, Azure managed disks, Azure blob VHDs (on Azure Stack Hub) or VMware Cloud Director independent " +
            "disks, as the configuration's backend says. kubelet runs it with one verb per call; every verb prints " +
            "exactly one JSON object on stdout.");
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
        attach.SetAction((parse, _) => RunVerbAsync(parse, globals, VerbNames.Attach, async (services, token) =>
            await services.AttachDetach.AttachAsync(await ReadJsonAsync(parse, attachOptions, token), parse.GetRequiredValue(attachNode), token)));
        root.Subcommands.Add(attach);

        var waitDevice = new Argument<string>("devicePath") { Description = "The device path attach returned (may be \"\")" };
        var waitOptions = JsonArgument();
        var waitForAttach = new Command(VerbNames.WaitForAttach, "Wait on the node until the disk's device appears; prints its path") { waitDevice, waitOptions };
        waitForAttach.SetAction((parse, _) => RunVerbAsync(parse, globals, VerbNames.WaitForAttach, async (services, token) =>
            await services.DeviceMount.WaitForAttachAsync(parse.GetRequiredValue(waitDevice), await ReadJsonAsync(parse, waitOptions, token), token)));
        root.Subcommands.Add(waitForAttach);

        var isAttachedFirst = new Argument<string>("json|nodeName") { Description = "The options JSON (or, from older kubelets, the node name)" };
        var isAttachedSecond = new Argument<string>("nodeName|json") { Description = "The node name (or, from older kubelets, the options JSON)" };
        var isAttached = new Command(VerbNames.IsAttached, "Tell whether the disk is attached to the node (either argument order)") { isAttachedFirst, isAttachedSecond };
        isAttached.SetAction((parse, _) => RunVerbAsync(parse, globals, VerbNames.IsAttached, async (services, token) =>
            await services.AttachDetach.IsAttachedAsync(
                await _stdin.ResolveAsync(parse.GetRequiredValue(isAttachedFirst), "json", token),
                await _stdin.ResolveAsync(parse.GetRequiredValue(isAttachedSecond), "json", token),
                token)));
        root.Subcommands.Add(isAttached);

        var mountPath = MountPathArgument();
        var mountDevicePath = new Argument<string>("devicePath") { Description = "The device waitforattach returned" };
        var mountOptions = JsonArgument();
        var mountDevice = new Command(VerbNames.MountDevice, "Format the device if (and only if) it is blank, and mount it at deviceMountPath") { mountPath, mountDevicePath, mountOptions };
        mountDevice.SetAction((parse, _) => RunVerbAsync(parse, globals, VerbNames.MountDevice, async (services, token) =>
            await services.DeviceMount.MountDeviceAsync(parse.GetRequiredValue(mountPath), parse.GetRequiredValue(mountDevicePath), await ReadJsonAsync(parse, mountOptions, token), token)));
        root.Subcommands.Add(mountDevice);

        var unmountPath = MountPathArgument();
        var unmountDevice = new Command(VerbNames.UnmountDevice, "Unmount deviceMountPath (success when nothing is mounted there)") { unmountPath };
        unmountDevice.SetAction((parse, _) => RunVerbAsync(parse, globals, VerbNames.UnmountDevice, (services, token) =>
            services.DeviceMount.UnmountDeviceAsync(parse.GetRequiredValue(unmountPath), token)));
        root.Subcommands.Add(unmountDevice);

        var detachName = new Argument<string>("pvOrVolumeName") { Description = "The PV or volume name (not a device)" };
        var detachNode = NodeArgument();
        var detach = new Command(VerbNames.Detach, "Detach the disk from the node (success when it is not attached)") { detachName, detachNode };
        detach.SetAction((parse, _) => RunVerbAsync(parse, globals, VerbNames.Detach, (services, token) =>
            services.AttachDetach.DetachAsync(parse.GetRequiredValue(detachName), parse.GetRequiredValue(detachNode), token)));
        root.Subcommands.Add(detach);

        var expandOptions = JsonArgument();
        var expandPath = MountPathArgument();
        var (expandNew, expandOld) = SizeArguments();
        var expandVolume = new Command(VerbNames.ExpandVolume, "Grow the disk to newSizeBytes (never shrinks; success when it already has that size)") { expandOptions, expandPath, expandNew, expandOld };
        expandVolume.SetAction((parse, _) => RunVerbAsync(parse, globals, VerbNames.ExpandVolume, async (services, token) =>
            await services.AttachDetach.ExpandVolumeAsync(await ReadJsonAsync(parse, expandOptions, token), parse.GetRequiredValue(expandPath), parse.GetRequiredValue(expandNew), parse.GetRequiredValue(expandOld), token)));
        root.Subcommands.Add(expandVolume);

        var growOptions = JsonArgument();
        var growDevice = new Argument<string>("devicePath") { Description = "The volume's device on this node" };
        var growPath = MountPathArgument();
        var (growNew, growOld) = SizeArguments();
        var expandFs = new Command(VerbNames.ExpandFs, "On the node: grow the volume's mounted ext4 or xfs filesystem online to fill its grown disk") { growOptions, growDevice, growPath, growNew, growOld };
        expandFs.SetAction((parse, _) => RunVerbAsync(parse, globals, VerbNames.ExpandFs, async (services, token) =>
            await services.DeviceMount.ExpandFsAsync(await ReadJsonAsync(parse, growOptions, token), parse.GetRequiredValue(growDevice), parse.GetRequiredValue(growPath), parse.GetRequiredValue(growNew), parse.GetRequiredValue(growOld), token)));
        root.Subcommands.Add(expandFs);

        var deleteName = new Argument<string>("volumeName") { Description = "The volume to delete; it must be detached" };
        var delete = new Command(VerbNames.Delete, "Operators: delete a detached disk by name (success when it does not exist)") { deleteName };
        delete.SetAction((parse, _) => RunVerbAsync(parse, globals, VerbNames.Delete, (services, token) =>
            services.AttachDetach.DeleteAsync(parse.GetRequiredValue(deleteName), token)));
        root.Subcommands.Add(delete);

        if (verb is null || VerbNames.OperatorCommands.Contains(verb))
        {
            new OperatorCommands(_runner, _operators).AddTo(root, globals.Config, globals.Verbose);
            root.Subcommands.Add(new ProvisionerCommand(_runner, _provisioner).Create(globals.Config, globals.Verbose));
        }

        if (verb is null)
        {
            // Not supported verbs are answered before parsing unless help is asked for: here only to be listed.
            foreach (var (name, reason) in VerbNames.NotSupported)
            {
                var ignored = new Argument<string[]>("arguments") { Arity = ArgumentArity.ZeroOrMore };
                var command = new Command(name, $"Answers Not supported: {reason}") { ignored };
                command.SetAction((_, _) => Task.FromResult(replies.Write(Reply.NotSupported($"{name} is not supported: {reason}"))));
                root.Subcommands.Add(command);
            }
        }

        return root;
    }

    private static Argument<string> JsonArgument() => new("json") { Description = "The options JSON object (or - to read it from stdin)" };

    private static Argument<string> NodeArgument() => new("nodeName") { Description = "The Kubernetes node name" };

    private static Argument<string> MountPathArgument() => new("deviceMountPath") { Description = "The absolute directory kubelet mounts the device on" };

    private static (Argument<string> NewSize, Argument<string> OldSize) SizeArguments() =>
        (new(SizeArgument.NewSize) { Description = "The size to grow to, in bytes" }, new(SizeArgument.OldSize) { Description = "The size the volume had, in bytes" });

    /// <summary>Runs a verb on the configured backend through the one runner.</summary>
    private Task<int> RunVerbAsync(ParseResult parse, GlobalOptions globals, string verb, Func<VerbServices, CancellationToken, Task<Reply>> body) =>
        _runner.RunAsync(parse, verb, new CliSettings(parse.GetValue(globals.Config), parse.GetValue(globals.Verbose)), body);

    private Task<string> ReadJsonAsync(ParseResult parse, Argument<string> argument, CancellationToken cancellationToken) =>
        _stdin.ResolveAsync(parse.GetRequiredValue(argument), argument.Name, cancellationToken);

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
