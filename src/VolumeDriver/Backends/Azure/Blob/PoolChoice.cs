namespace VolumeDriver.Backends.Azure.Blob;

/// <summary>Where the next shared VHD goes: an existing account, or a new one to create first.</summary>
/// <param name="Create">The account does not exist yet.</param>
internal sealed record PoolChoice(string Account, bool Create);
