namespace VolumeDriver.Configuration;

/// <summary>Log levels a configuration may name (Serilog's, in its spelling).</summary>
internal enum LogLevelSetting
{
    Verbose,
    Debug,
    Information,
    Warning,
    Error,
    Fatal,
}
