using Microsoft.Extensions.Logging;
using VolumeDriver.Backends.Azure.Blob;
using VolumeDriver.Backends.Azure.Managed;
using VolumeDriver.Domain;
using VolumeDriver.Errors;

namespace VolumeDriver.Backends.Azure;

/// <summary>
/// The Azure backend: each volume goes to the managed-disk part (<see cref="AzureManagedDisks"/>) or,
/// on Azure Stack Hub, to the blob-disk part (<see cref="AzureBlobDisks"/>) by its kind; both attach
/// through the VM's data disks (<see cref="VmDataDiskUpdater"/>), so the device is
/// /dev/disk/azure/scsi1/lunN, never /dev/sdX. Detach and delete get only the PV's name: the volume's
/// record (the disk's resource id or the VHD's URI, kept from attach until delete) says which part
/// holds it. A missing disk, VM or attachment is success.
/// </summary>
internal sealed partial class AzureDiskBackend : ICloudDisk
{
    public const string DevicePrefix = "/dev/disk/azure/scsi1/lun";

    private const int MaxLuns = 64;

    private readonly AzureManagedDisks _managed;
    private readonly AzureBlobDisks _blobs;
    private readonly VolumeRecords _records;
    private readonly AzureEnvironment _environment;
    private readonly ILogger _logger;

    /// <param name="environment">The cloud: blob kinds are served on Azure Stack Hub alone.</param>
    public AzureDiskBackend(AzureManagedDisks managed, AzureBlobDisks blobs, VolumeRecords records, AzureEnvironment environment, ILogger logger)
    {
        _managed = managed;
        _blobs = blobs;
        _records = records;
        _environment = environment;
        _logger = logger;
    }

    public async Task<DiskInfo> ProvisionAsync(DiskRequest request, CancellationToken cancellationToken)
    {
        if (ServesBlobKind(request))
        {
            var (_, vhdCreated) = await _blobs.ProvisionAsync(request, cancellationToken);
            return new DiskInfo(request.Name, request.Size ?? new ByteSize(0), vhdCreated);
        }

        return await _managed.ProvisionAsync(request, cancellationToken);
    }

    public async Task<AttachResult> AttachAsync(DiskRequest request, NodeName node, CancellationToken cancellationToken)
    {
        string recorded;
        int lun;
        if (ServesBlobKind(request))
        {
            (var vhd, lun) = await _blobs.AttachAsync(request, node, cancellationToken);
            recorded = vhd.AbsoluteUri;
        }
        else
        {
            (var diskId, lun) = await _managed.AttachAsync(request, node, cancellationToken);
            recorded = diskId.ToString();
        }

        // Kept until delete: detach and delete get only the PV's name.
        await _records.RememberAsync(request.Name, recorded, cancellationToken);
        return new AttachResult(DevicePrefix + lun.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public Task<bool> IsAttachedAsync(DiskRequest request, NodeName node, CancellationToken cancellationToken) =>
        ServesBlobKind(request) ? _blobs.IsAttachedAsync(request, node, cancellationToken) : _managed.IsAttachedAsync(request, node, cancellationToken);

    public async Task DetachAsync(VolumeName volume, NodeName node, CancellationToken cancellationToken)
    {
        var recorded = await _records.DiskNameOfAsync(volume, cancellationToken);
        if (RecordedVhd(recorded) is { } recordedVhd)
        {
            await DetachBlobAsync(recordedVhd, node, cancellationToken);
            return;
        }

        var diskName = recorded.Split('/')[^1];
        if (await _managed.DetachAsync(recorded, node, cancellationToken))
        {
            LogDetached(_logger, diskName, node.Value);
        }
        else if (await UnrecordedBlobDiskAsync(volume, recorded, cancellationToken) is { } vhd)
        {
            // Attached as a blob disk from another node (no record here): never report success with it still attached.
            await DetachBlobAsync(vhd, node, cancellationToken);
        }
        else
        {
            LogNothingToDetach(_logger, diskName, node.Value);
        }

        _records.Forget(volume);
    }

    public async Task DeleteAsync(VolumeName volume, CancellationToken cancellationToken)
    {
        var recorded = await _records.DiskNameOfAsync(volume, cancellationToken);
        if ((RecordedVhd(recorded) ?? await UnrecordedBlobDiskAsync(volume, recorded, cancellationToken)) is { } vhd)
        {
            await _blobs.DeleteAsync(vhd, cancellationToken);
            _records.Forget(volume);
            return;
        }

        if (await _managed.DeleteAsync(recorded, cancellationToken))
        {
            _records.Forget(volume);
        }
    }

    /// <summary>The managed disks this driver created (blob disks are not listed).</summary>
    public Task<IReadOnlyList<VolumeSummary>> ListAsync(CancellationToken cancellationToken) => _managed.ListAsync(cancellationToken);

    public Task<ByteSize> ResizeAsync(DiskRequest request, ByteSize newSize, CancellationToken cancellationToken) =>
        _managed.ResizeAsync(request, newSize, cancellationToken);

    public DiskIdentity IdentityFor(DiskRequest request, string? attachedDevicePath)
    {
        var diskName = ServesBlobKind(request) ? BlobDiskOptions.From(request).DiskName : _managed.DiskNameFor(request);
        if (attachedDevicePath is not null && attachedDevicePath.StartsWith(DevicePrefix, StringComparison.Ordinal)
            && int.TryParse(attachedDevicePath.AsSpan(DevicePrefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var lun) && lun < MaxLuns)
        {
            return new AzureLunIdentity(diskName, lun);
        }

        throw new InvalidOptionException("devicePath", $"device path '{PrintableText.Of(attachedDevicePath ?? string.Empty)}' is not the {DevicePrefix}<N> path attach returns for Azure disk '{diskName}'");
    }

    /// <summary>
    /// A blob kind this cloud serves: Azure Stack Hub. In the public clouds the blob kinds go down the
    /// managed path, whose option parsing refuses them with the retirement message.
    /// </summary>
    private bool ServesBlobKind(DiskRequest request) => !_environment.IsPublicCloudFamily && BlobDiskOptions.IsBlobKind(request);

    /// <summary>The VHD a blob-disk volume's record names (attach keeps it until delete), or null.</summary>
    private static Uri? RecordedVhd(string recorded) =>
        recorded.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || recorded.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? new Uri(recorded) : null;

    /// <summary>
    /// On Azure Stack Hub, a volume with no record here and no managed disk of its name may be a blob
    /// disk another node attached: its dedicated account or the pool's index finds its VHD.
    /// </summary>
    private async Task<Uri?> UnrecordedBlobDiskAsync(VolumeName volume, string recorded, CancellationToken cancellationToken) =>
        _environment.IsPublicCloudFamily || recorded != volume.Value || await _managed.ExistsAsync(recorded, cancellationToken)
            ? null
            : await _blobs.FindByVolumeNameAsync(volume.Value, cancellationToken);

    private async Task DetachBlobAsync(Uri vhd, NodeName node, CancellationToken cancellationToken)
    {
        var detached = await _blobs.DetachAsync(vhd, node, cancellationToken);
        var described = vhd.AbsoluteUri;
        if (detached)
        {
            LogDetached(_logger, described, node.Value);
        }
        else
        {
            LogNothingToDetach(_logger, described, node.Value);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Detached Azure disk {Disk} from VM {Vm}")]
    private static partial void LogDetached(ILogger logger, string disk, string vm);

    [LoggerMessage(Level = LogLevel.Information, Message = "Nothing to detach: Azure disk {Disk} is not on VM {Vm} (or the VM is gone)")]
    private static partial void LogNothingToDetach(ILogger logger, string disk, string vm);
}
