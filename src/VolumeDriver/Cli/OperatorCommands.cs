using System.CommandLine;
using VolumeDriver.Backends;
using VolumeDriver.Backends.Azure.Blob;
using VolumeDriver.Configuration;
using VolumeDriver.Diagnostics;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.FlexVolume;
using VolumeDriver.Installation;
using VolumeDriver.Logging;

namespace VolumeDriver.Cli;

/// <summary>
/// The operators' commands doctor, install, list and migrate-vhd. kubelet never runs them, so they may print a
/// table for people; with <c>--json</c> (doctor, list) or always (install, migrate-vhd) they print one JSON object
/// through the same write-once <see cref="ReplyWriter"/> as the verbs, and an error is a Failure reply.
/// </summary>
internal sealed class OperatorCommands
{
    private readonly VerbRunner _runner;
    private readonly ReplyWriter _replies;
    private readonly OperatorServices _services;

    /// <param name="runner">The one run path every command goes through, kubelet's verbs too.</param>
    public OperatorCommands(VerbRunner runner, OperatorServices services)
    {
        _runner = runner;
        _replies = runner.Replies;
        _services = services;
    }

    /// <summary>Adds doctor, install, list and migrate-vhd to the root command; they share the global --config and --verbose.</summary>
    public void AddTo(RootCommand root, Option<string?> config, Option<bool> verbose)
    {
        root.Subcommands.Add(Doctor(config, verbose));
        root.Subcommands.Add(Install(config, verbose));
        root.Subcommands.Add(List(config, verbose));
        root.Subcommands.Add(MigrateVhd(config, verbose));
    }

    private Command Doctor(Option<string?> config, Option<bool> verbose)
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
            "Operators: check everything the driver needs on this node (configuration, backend and its credentials, " +
            "etcd, tools, loop devices, node name, log file, installation) and say how to fix what is wrong; exits 1 when a check fails")
        {
            json, pluginDirectory, driver,
        };
        doctor.SetAction((parse, _) => _runner.RunWithoutServicesAsync(parse, VerbNames.Doctor, OpenLog(parse, config, verbose), async cancellationToken =>
        {
            var request = new DoctorRequest(parse.GetValue(config), parse.GetValue(pluginDirectory), parse.GetValue(driver));
            var report = await _services.Doctor.RunAsync(request, cancellationToken);
            var status = report.HasFailures ? ReplyStatus.Failure : ReplyStatus.Success;
            if (parse.GetValue(json))
            {
                return VerbOutcome.Printed(status, _replies.WriteDocument(DoctorReportWriter.ToJson(report, _replies.Indented), report.ExitCode), "");
            }

            await DoctorReportWriter.WriteTableAsync(report, parse.InvocationConfiguration.Output, cancellationToken);
            return VerbOutcome.Printed(status, report.ExitCode, "");
        }));
        return doctor;
    }

    private Command Install(Option<string?> config, Option<bool> verbose)
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
        install.SetAction((parse, _) => _runner.RunWithoutServicesAsync(parse, VerbNames.Install, OpenLog(parse, config, verbose), async cancellationToken =>
        {
            var driverText = parse.GetRequiredValue(driver);
            if (!FlexDriverName.TryParse(driverText, out var name, out var problem))
            {
                throw new InvalidOptionException("--driver", $"install: --driver '{driverText}' is not a driver name kubelet accepts: {problem}");
            }

            var request = new InstallRequest(parse.GetRequiredValue(pluginDirectory), name.Value, parse.GetValue(config), parse.GetRequiredValue(configDestination));
            var report = await _services.Installer.InstallAsync(request, cancellationToken);
            return VerbOutcome.Replied(Reply.Informational(report.Describe()));
        }));
        return install;
    }

    private Command List(Option<string?> config, Option<bool> verbose)
    {
        var json = JsonOption();
        var list = new Command(VerbNames.List, "Operators: list the volumes in the configured backend with their size, SKU or storage profile and the node each is attached to")
        {
            json,
        };
        list.SetAction((parse, _) => _runner.RunAsync(parse, VerbNames.List, Settings(parse, config, verbose), async (services, cancellationToken) =>
        {
            var volumes = await services.AttachDetach.ListAsync(cancellationToken);
            var detail = $": {volumes.Count} volume(s)";
            if (parse.GetValue(json))
            {
                return VerbOutcome.Printed(ReplyStatus.Success, _replies.WriteDocument(VolumeListWriter.ToJson(volumes, _replies.Indented), 0), detail);
            }

            await VolumeListWriter.WriteTableAsync(volumes, parse.InvocationConfiguration.Output, cancellationToken);
            return VerbOutcome.Printed(ReplyStatus.Success, 0, detail);
        }));
        return list;
    }

    private Command MigrateVhd(Option<string?> config, Option<bool> verbose)
    {
        var blobUri = new Argument<string>("blob-uri") { Description = "The VHD page blob: https://<account>.blob.<suffix>/<container>/<name>.vhd (no SAS token: the driver reads it with the account's key)" };
        var sku = new Option<string?>("--sku") { Description = "The managed disk's SKU (default: Premium_LRS for a VHD in a premium account, else Standard_LRS)" };
        var name = new Option<string?>("--name") { Description = "The managed disk's name (default: the blob's name without .vhd)" };
        var accountGroup = new Option<string?>("--account-resource-group") { Description = "The resource group of the VHD's storage account (default: azure.json's resourceGroup)" };
        var migrate = new Command(
            VerbNames.MigrateVhd,
            "Operators: import a detached Azure VHD blob disk into a managed disk in the cluster's resource group, check its size, and print the disk's URI and the PV options that use it. " +
            "A leased (attached) VHD is refused; the VHD is only read, never changed or deleted; a re-run converges")
        {
            blobUri, sku, name, accountGroup,
        };
        migrate.SetAction((parse, _) => _runner.RunAsync(parse, VerbNames.MigrateVhd, Settings(parse, config, verbose), async (services, cancellationToken) =>
        {
            var text = parse.GetRequiredValue(blobUri);
            if (!Uri.TryCreate(text, UriKind.Absolute, out var vhd) || vhd.Query.Length > 0 || vhd.UserInfo.Length > 0)
            {
                // A SAS token in the query would be a secret in the log line; the account key reads the blob.
                throw new InvalidOptionException("blob-uri", "migrate-vhd: blob-uri must be the VHD's plain URI (https://<account>.blob.<suffix>/<container>/<name>.vhd), without a query or SAS token");
            }

            if (services.VhdMigration is not { } migration)
            {
                throw new InvalidOptionException("backend", $"migrate-vhd moves Azure VHD blob disks to managed disks, and the configuration selects the {services.Configuration.Backend} backend; run it with the Azure configuration");
            }

            var result = await migration.MigrateVhdAsync(new VhdMigrationRequest(vhd, parse.GetValue(sku), parse.GetValue(name), parse.GetValue(accountGroup)), cancellationToken);
            var exitCode = _replies.WriteDocument(VhdMigrationWriter.ToJson(result, _replies.Indented), 0);
            return VerbOutcome.Printed(ReplyStatus.Success, exitCode, $": {result.Source} -> {result.DiskUri} ({(result.Created ? "imported" : "already imported")})");
        }));
        return migrate;
    }

    private static CliSettings Settings(ParseResult parse, Option<string?> config, Option<bool> verbose) =>
        new(parse.GetValue(config), parse.GetValue(verbose));

    /// <summary>Opens the log doctor's and install's one line goes to (the configuration's log file).</summary>
    private Func<CancellationToken, Task<LoggingSetup?>> OpenLog(ParseResult parse, Option<string?> config, Option<bool> verbose) =>
        cancellationToken => _services.OpenLog(Settings(parse, config, verbose), cancellationToken);

    private static Option<bool> JsonOption() => new("--json") { Description = "Print one JSON object for scripts instead of a table" };
}
