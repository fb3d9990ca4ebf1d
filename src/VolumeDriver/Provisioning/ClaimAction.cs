namespace VolumeDriver.Provisioning;

/// <summary>What the provisioner does with a claim it sees.</summary>
internal enum ClaimAction
{
    /// <summary>Not ours, already bound, being deleted, or its class is unknown.</summary>
    Ignore,

    /// <summary>Ours, but its class waits for the first consumer and the scheduler has not picked a node yet.</summary>
    WaitForNode,

    /// <summary>Ours and unbound: it gets a disk and a PV.</summary>
    Provision,
}
