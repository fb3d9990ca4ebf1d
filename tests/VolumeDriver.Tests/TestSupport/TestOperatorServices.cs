using VolumeDriver.Backends.Loop;
using VolumeDriver.Cli;
using VolumeDriver.Configuration;
using VolumeDriver.Diagnostics;
using VolumeDriver.Host;
using VolumeDriver.Installation;
using VolumeDriver.Logging;

namespace VolumeDriver.Tests.TestSupport;

/// <summary>Operator services composed the way Composition does, over paths a test chooses.</summary>
internal static class TestOperatorServices
{
    /// <summary>A loader that finds no file unless one is passed explicitly (no environment, no /etc).</summary>
    public static ConfigurationLoader IsolatedLoader() =>
        new(new ConfigurationLocator(_ => null, "/nonexistent-volume-driver-dir", "/nonexistent-volume-driver-dir/config.yaml"));

    public static DoctorEnvironment Environment(
        string? executablePath = null,
        string searchPath = "/nonexistent-volume-driver-dir",
        IReadOnlyList<string>? pluginDirectories = null,
        string hostName = "Node-1") =>
        new(executablePath, IsPrivileged: true, () => hostName, searchPath, pluginDirectories ?? ["/nonexistent-volume-driver-dir/plugins"]);

    public static Doctor Doctor(DoctorEnvironment environment, HostRoot? host = null) =>
        new(IsolatedLoader(), configuration => new LoopDiagnostics(configuration.Loop, host ?? HostRoot.System), environment, VolumeDriver.Locking.Etcd.EtcdDiagnostics.ProbeAsync);

    /// <remarks>
    /// Doctor's and install's log opens as Composition opens it, from the --config given; without one
    /// there is none here, since the default (/var/log/volume-driver.log) is the machine's, not a test's.
    /// </remarks>
    public static OperatorServices Create(string? executablePath = null) =>
        new(
            Doctor(Environment(executablePath)),
            new DriverInstaller(executablePath, IsolatedLoader()),
            (settings, cancellationToken) => settings.ConfigPath is null ? Task.FromResult<LoggingSetup?>(null) : Composition.OpenOperatorLogAsync(IsolatedLoader(), settings, cancellationToken));
}
