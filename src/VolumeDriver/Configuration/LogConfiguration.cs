namespace VolumeDriver.Configuration;

/// <summary>The log file and its level.</summary>
internal sealed record LogConfiguration(string File, LogLevelSetting Level)
{
    public static LogConfiguration Defaults { get; } = new("/var/log/volume-driver.log", LogLevelSetting.Information);
}
