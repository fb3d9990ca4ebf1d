namespace VolumeDriver.Host;

/// <summary>A loop device bound to a backing file, as sysfs shows it.</summary>
/// <param name="DevicePath">The host device path, such as /dev/loop3.</param>
/// <param name="Major">Its major number (7 for loop).</param>
/// <param name="Minor">Its minor number.</param>
/// <param name="BackingFile">The file it reads and writes, as the kernel reports it, without any " (deleted)" mark.</param>
/// <param name="BackingFileDeleted">The kernel marks the file deleted: it was removed or replaced while attached.</param>
internal sealed record LoopDevice(string DevicePath, uint Major, uint Minor, string BackingFile, bool BackingFileDeleted);
