namespace VolumeDriver.Domain;

/// <summary>A loop device, found by the file that backs it.</summary>
internal sealed record LoopBackingFileIdentity(string BackingFile) : DiskIdentity
{
    public override string Describe() => $"the loop device backed by {BackingFile}";
}
