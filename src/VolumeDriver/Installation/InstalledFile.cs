namespace VolumeDriver.Installation;

/// <summary>One file put in place by <see cref="AtomicFileInstaller"/>.</summary>
/// <param name="Path">The final path.</param>
/// <param name="Change">Whether it was created, replaced or left as it was.</param>
internal sealed record InstalledFile(string Path, InstallChange Change);
