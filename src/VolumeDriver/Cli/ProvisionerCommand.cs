using System.CommandLine;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.FlexVolume;

namespace VolumeDriver.Cli;

/// <summary>
/// <c>volume-driver provisioner</c>: the long-running mode a Deployment runs in the cluster. It turns
/// claims of the driver's StorageClasses into disks and PVs, and deletes released ones. Unlike the
/// verbs it writes its log to stdout, one JSON object per line; a command line or configuration it
/// cannot start with ends as one Failure reply (exit 1), and SIGTERM ends it cleanly (exit 0).
/// </summary>
internal sealed class ProvisionerCommand
{
    public const int DefaultHealthPort = 8080;
    public const int DefaultWorkers = 4;
    public const int MaxWorkers = 64;

    private readonly VerbRunner _runner;
    private readonly Func<ProvisionerSettings, CancellationToken, Task<int>>? _run;

    /// <param name="run">Runs the mode until SIGTERM or a lost lease; returns the exit code. Null: this build has no provisioner.</param>
    public ProvisionerCommand(VerbRunner runner, Func<ProvisionerSettings, CancellationToken, Task<int>>? run)
    {
        _runner = runner;
        _run = run;
    }

    public Command Create(Option<string?> config, Option<bool> verbose)
    {
        var driver = new Option<string>("--driver")
        {
            Description = "VENDOR/NAME: the provisioner StorageClasses name, and the flexVolume.driver of the PVs it writes",
            Required = true,
        };
        var kubeconfig = new Option<string?>("--kubeconfig")
        {
            Description = "A kubeconfig file to reach the API server with (default: the pod's service account, in the cluster)",
        };
        var healthPort = new Option<int>("--health-port")
        {
            Description = $"The port of /healthz and /readyz, on every address (default {DefaultHealthPort}; 0 serves neither)",
            DefaultValueFactory = _ => DefaultHealthPort,
        };
        var leaseNamespace = new Option<string?>("--lease-namespace")
        {
            Description = "The namespace of the Lease that elects the one active replica (default: the pod's namespace, else default)",
        };
        var identity = new Option<string?>("--identity")
        {
            Description = "This replica's name in the Lease (default: the host name and a random suffix)",
        };
        var workers = new Option<int>("--workers")
        {
            Description = $"How many claims and volumes are worked on at once (default {DefaultWorkers}, at most {MaxWorkers})",
            DefaultValueFactory = _ => DefaultWorkers,
        };
        var command = new Command(
            VerbNames.Provisioner,
            "Run the dynamic provisioner (a Deployment in the cluster): a claim of a StorageClass whose provisioner is --driver gets a disk named pvc-<claim uid> " +
            "and a PV; a released PV it made with reclaim policy Delete loses its disk and then the PV. One replica acts at a time, through a Lease. " +
            "The log goes to stdout, one JSON object per line. SIGTERM stops it and releases the Lease")
        {
            driver, kubeconfig, healthPort, leaseNamespace, identity, workers,
        };
        command.SetAction((parse, _) => _runner.RunWithoutServicesAsync(parse, VerbNames.Provisioner, openLog: null, async cancellationToken =>
        {
            var settings = Check(
                parse.GetValue(config),
                parse.GetValue(verbose),
                parse.GetRequiredValue(driver),
                parse.GetValue(kubeconfig),
                parse.GetValue(healthPort),
                parse.GetValue(leaseNamespace),
                parse.GetValue(identity),
                parse.GetValue(workers));
            if (_run is null)
            {
                throw new InvalidOptionException(VerbNames.Provisioner, "this build of volume-driver has no provisioner mode");
            }

            var exitCode = await _run(settings, cancellationToken);
            return VerbOutcome.Printed(exitCode == 0 ? ReplyStatus.Success : ReplyStatus.Failure, exitCode, "");
        }));
        return command;
    }

    /// <summary>Checks the command line before anything starts, naming the option that is wrong.</summary>
    public static ProvisionerSettings Check(string? config, bool verbose, string driver, string? kubeconfig, int healthPort, string? leaseNamespace, string? identity, int workers)
    {
        if (!FlexDriverName.TryParse(driver, out var name, out var problem))
        {
            throw new InvalidOptionException("--driver", $"provisioner: --driver '{PrintableText.Of(driver)}' is not a FlexVolume driver name: {problem}");
        }

        if (healthPort is < 0 or > 65535)
        {
            throw new InvalidOptionException("--health-port", FormattableString.Invariant($"provisioner: --health-port {healthPort} is not a TCP port (0 turns the endpoints off)"));
        }

        if (workers is < 1 or > MaxWorkers)
        {
            throw new InvalidOptionException("--workers", FormattableString.Invariant($"provisioner: --workers {workers} must be from 1 to {MaxWorkers}"));
        }

        if (leaseNamespace is not null && !IsDnsLabel(leaseNamespace))
        {
            throw new InvalidOptionException("--lease-namespace", $"provisioner: --lease-namespace '{PrintableText.Of(leaseNamespace)}' is not a namespace name (lower-case letters, digits and '-', at most 63)");
        }

        if (identity is not null && (identity.Length is 0 or > 128 || identity.Any(char.IsControl)))
        {
            throw new InvalidOptionException("--identity", "provisioner: --identity must be 1 to 128 printable characters");
        }

        if (kubeconfig is not null && !File.Exists(kubeconfig))
        {
            throw new InvalidOptionException("--kubeconfig", $"provisioner: --kubeconfig '{PrintableText.Of(kubeconfig)}' does not exist");
        }

        return new ProvisionerSettings(config, verbose, name.Value, kubeconfig, healthPort, leaseNamespace, identity, workers);
    }

    private static bool IsDnsLabel(string text) =>
        text.Length is > 0 and <= 63
        && text.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
        && text[0] != '-' && text[^1] != '-';
}
