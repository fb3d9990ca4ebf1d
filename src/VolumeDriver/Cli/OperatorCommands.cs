using System.CommandLine;
using Microsoft.Extensions.Logging;
using VolumeDriver.Backends;
using VolumeDriver.Configuration;
using VolumeDriver.Diagnostics;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.FlexVolume;
using VolumeDriver.Installation;

namespace VolumeDriver.Cli;

/// <summary>
/// The operators' commands doctor, install and list. kubelet never runs them, so they may print a
/// table for people; with <c>--json</c> (doctor, list) or always (install) they print one JSON object
/// through the same write-once <see cref="ReplyWriter"/> as the verbs, and an error is a Failure reply.
/// </summary>
internal sealed class OperatorCommands
{
    private readonly ReplyWriter _replies;
    private readonly OperatorServices _services;
    private readonly Func<CliSettings, CancellationToken, Task<VerbServices>> _compose;
    private readonly TimeProvider _timeProvider;

    public OperatorCommands(ReplyWriter replies, OperatorServices services, Func<CliSettings, CancellationToken, Task<VerbServices>> compose, TimeProvider timeProvider)
    {
        _replies = replies;
        _services = services;
        _compose = compose;
        _timeProvider = timeProvider;
    }

    /// <summary>Adds doctor, install and list to the root command; they share the global --config and --verbose.</summary>
    public void AddTo(RootCommand root, Option<string?> config, Option<bool> verbose)
    {
        root.Subcommands.Add(Doctor(config));
        root.Subcommands.Add(Install(config));
        root.Subcommands.Add(List(config, verbose));
    }

    private Command Doctor(Option<string?> config)
    {
        var json = JsonOption();
        var pluginDirectory = new Option<string?>("--plugin-dir")
        {
            Description = $"kubelet's --volume-plugin-dir (default: look in {string.Join(", ", DoctorEnvironment.StandardPluginDirectories)})",
        };
        var driver = new Option<string?>("--driver")
        {
            Description = "The driver's directory name VENDOR~NAME (default: find where this executable is installed)",
        };
        var doctor = new Command(
            VerbNames.Doctor,
            "Operators: check everything the driver needs on this node (configuration, backend, tools, loop devices, " +
            "node name, log file, installation) and say how to fix what is wrong; exits 1 when a check fails")
        {
            json, pluginDirectory, driver,
        };
        doctor.SetAction(async (parse, cancellationToken) =>
        {
            var request = new DoctorRequest(parse.GetValue(config), parse.GetValue(pluginDirectory), parse.GetValue(driver));
            var report = await _services.Doctor.RunAsync(request, cancellationToken);
            if (parse.GetValue(json))
            {
                return _replies.WriteDocument(DoctorReportWriter.ToJson(report, _replies.Indented), report.ExitCode);
            }

            await DoctorReportWriter.WriteTableAsync(report, parse.InvocationConfiguration.Output, cancellationToken);
            return report.ExitCode;
        });
        return doctor;
    }

    private Command Install(Option<string?> config)
    {
        var pluginDirectory = new Option<string>("--plugin-dir")
        {
            Description = $"kubelet's --volume-plugin-dir (its default is {DoctorEnvironment.KubeletDefaultPluginDirectory})",
            Required = true,
        };
        var driver = new Option<string>("--driver")
        {
            Description = "The driver's directory name VENDOR~NAME; PVs then use flexVolume.driver: VENDOR/NAME",
            Required = true,
        };
        var configDestination = new Option<string>("--config-dest")
        {
            Description = "Where --config is installed",
            DefaultValueFactory = _ => ConfigurationKeys.SystemPath,
        };
        var install = new Command(
            VerbNames.Install,
            "Operators: install this executable as PLUGIN-DIR/VENDOR~NAME/NAME (mode 0755) and, with --config, that " +
            "configuration once it validates (mode 0600); each file is written under a dot-name and renamed into place")
        {
            pluginDirectory, driver, configDestination,
        };
        install.SetAction(async (parse, cancellationToken) =>
        {
            Reply reply;
            try
            {
                var driverText = parse.GetRequiredValue(driver);
                if (!FlexDriverName.TryParse(driverText, out var name, out var problem))
                {
                    throw new InvalidOptionException("--driver", $"install: --driver '{driverText}' is not a driver name kubelet accepts: {problem}");
                }

                var request = new InstallRequest(parse.GetRequiredValue(pluginDirectory), name.Value, parse.GetValue(config), parse.GetRequiredValue(configDestination));
                var report = await _services.Installer.InstallAsync(request, cancellationToken);
                reply = Reply.Informational(report.Describe());
            }
            catch (VolumeDriverException e)
            {
                reply = Reply.Failure(e.Message);
            }

            return _replies.Write(reply);
        });
        return install;
    }

    private Command List(Option<string?> config, Option<bool> verbose)
    {
        var json = JsonOption();
        var list = new Command(VerbNames.List, "Operators: list the volumes in the configured backend with their size, SKU or storage profile and the node each is attached to")
        {
            json,
        };
        list.SetAction(async (parse, cancellationToken) =>
        {
            var started = _timeProvider.GetTimestamp();
            VerbServices services;
            IReadOnlyList<VolumeSummary> volumes;
            try
            {
                services = await _compose(new CliSettings(parse.GetValue(config), parse.GetValue(verbose)), cancellationToken);
            }
            catch (VolumeDriverException e)
            {
                return _replies.Write(Reply.Failure(e.Message));
            }

            await using (services)
            {
                try
                {
                    volumes = await services.AttachDetach.ListAsync(cancellationToken);
                }
                catch (VolumeDriverException e)
                {
                    return _replies.Write(Reply.Failure(e.Message));
                }

                var logger = services.LoggerFactory.CreateLogger("VolumeDriver.Verb");
                var durationMs = _timeProvider.GetElapsedTime(started).TotalMilliseconds;
                var detail = $": {volumes.Count} volume(s)";
                CliLog.VerbCompleted(logger, VerbNames.List, "", "Success", durationMs, detail);
            }

            if (parse.GetValue(json))
            {
                return _replies.WriteDocument(VolumeListWriter.ToJson(volumes, _replies.Indented), 0);
            }

            await VolumeListWriter.WriteTableAsync(volumes, parse.InvocationConfiguration.Output, cancellationToken);
            return 0;
        });
        return list;
    }

    private static Option<bool> JsonOption() => new("--json") { Description = "Print one JSON object for scripts instead of a table" };
}
