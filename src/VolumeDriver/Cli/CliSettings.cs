namespace VolumeDriver.Cli;

/// <summary>The global options an operator or kubelet gave, which decide how services are composed.</summary>
/// <param name="ConfigPath">--config: the configuration file to use instead of the usual lookup.</param>
/// <param name="Verbose">--verbose: also write logs to stderr (never in kubelet mode).</param>
internal sealed record CliSettings(string? ConfigPath, bool Verbose);
