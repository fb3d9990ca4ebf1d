using VolumeDriver.Diagnostics;
using VolumeDriver.Installation;
using VolumeDriver.Logging;

namespace VolumeDriver.Cli;

/// <summary>
/// What the operator commands doctor and install run with. Unlike <see cref="VerbServices"/> they
/// need no valid configuration (doctor reports a broken one; install validates the one it is given),
/// so they are composed up front; their constructors only store what they are given.
/// </summary>
/// <param name="OpenLog">Opens the log their one line goes to: the log file the configuration names, or null when it cannot be read.</param>
internal sealed record OperatorServices(Doctor Doctor, DriverInstaller Installer, Func<CliSettings, CancellationToken, Task<LoggingSetup?>> OpenLog);
