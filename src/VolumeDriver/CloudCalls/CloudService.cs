namespace VolumeDriver.CloudCalls;

/// <summary>The services this driver calls, for <see cref="CloudRequestException"/> and its request ids.</summary>
internal enum CloudService
{
    /// <summary>Azure Resource Manager (the compute SDK and our Microsoft.Storage REST calls).</summary>
    Arm,

    /// <summary>The Azure Blob service (page blobs of blob disks).</summary>
    Blob,

    /// <summary>VMware Cloud Director's API.</summary>
    VCloud,

    /// <summary>etcd's v3 JSON gateway (the lock service).</summary>
    Etcd,

    /// <summary>The Kubernetes API server (the provisioner's PVs, PVCs, Events and Leases).</summary>
    Kubernetes,
}
