namespace VolumeDriver.Domain;

/// <summary>
/// What the node side needs to find a disk's block device, and nothing more. A backend derives it
/// without touching the node; the node resolves it without calling the cloud. Identity is always
/// something the device itself carries (a backing file, a LUN, a WWN), never "the next device
/// that appeared".
/// </summary>
internal abstract record DiskIdentity
{
    private protected DiskIdentity()
    {
    }

    /// <summary>A short description for messages and logs.</summary>
    public abstract string Describe();
}
