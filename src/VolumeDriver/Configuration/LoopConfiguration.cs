namespace VolumeDriver.Configuration;

/// <summary>The loop backend: where disk image files live.</summary>
/// <param name="Overcommit">
/// How far sparse images may promise more than the disk holds: a new image (or a growth) is refused
/// when its size exceeds the free space of the images' filesystem times this ratio. 1 (the default)
/// never promises more than is free; 0 is refused.
/// </param>
internal sealed record LoopConfiguration(string Directory, double Overcommit = LoopConfiguration.DefaultOvercommit)
{
    public const double DefaultOvercommit = 1;

    /// <summary>Larger ratios are typos: 1000× of a 100 GiB disk is already 100 TiB.</summary>
    public const double MaxOvercommit = 1000;

    public static LoopConfiguration Defaults { get; } = new("/var/lib/volume-driver/loop");
}
