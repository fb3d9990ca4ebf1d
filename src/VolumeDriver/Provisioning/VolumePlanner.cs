using System.Collections.Frozen;
using VolumeDriver.Backends;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.FlexVolume;
using VolumeDriver.Kubernetes;
using VolumeDriver.Modules;

namespace VolumeDriver.Provisioning;

/// <summary>
/// Decides what a claim gets, before anything is created: the claim's access modes and volume mode
/// are checked, its request is rounded up to the backend's unit, and the class parameters go through
/// the options parser every verb uses (the common keys and the module's keys; any other key is an
/// error naming it), then through the backend's own checks and placement (the module's
/// <see cref="IProvisioningProfile"/>). Every refusal is a <see cref="VolumeDriverException"/> whose
/// message the ProvisioningFailed event carries.
/// </summary>
internal sealed class VolumePlanner
{
    private readonly FlexDriverName _driver;
    private readonly FlexOptionsParser _parser;
    private readonly IProvisioningProfile _profile;

    public VolumePlanner(FlexDriverName driver, IReadOnlySet<string> backendKeys, IProvisioningProfile profile)
    {
        _driver = driver;
        _parser = new FlexOptionsParser(backendKeys);
        _profile = profile;
    }

    public VolumePlan Plan(ProvisioningClaim claim, ProvisioningClass storageClass, SelectedNode? selectedNode)
    {
        CheckAccessModes(claim);
        if (claim.VolumeMode == ProvisioningNames.VolumeModeBlock)
        {
            throw new ProvisioningRefusedException($"claim {claim.Describe()} asks for volumeMode Block, which is refused until the driver serves block volumes (it serves filesystem volumes today); use volumeMode Filesystem");
        }

        var capacity = RoundUp(RequestedSize(claim), _profile.AllocationUnit);
        var (options, fsTypeParameter) = OptionsFrom(storageClass, capacity);
        var parsed = InClass(storageClass, () => _parser.Parse(fsTypeParameter is { } fsType ? new Dictionary<string, string>(options) { [OptionKeys.LegacyFsType] = fsType } : options));

        if (!VolumeName.TryCreate(claim.VolumeNameToProvision, out var name, out var nameProblem))
        {
            throw new ProvisioningRefusedException($"claim {claim.Describe()}: its uid gives no usable volume name ({nameProblem})");
        }

        var placement = InClass(storageClass, () => _profile.Place(new DiskRequest(name.Value, capacity, parsed.BackendOptions), selectedNode));
        var volumeOptions = new Dictionary<string, string>(options, StringComparer.Ordinal);
        foreach (var (key, value) in placement.Options)
        {
            volumeOptions[key] = value;
        }

        return new VolumePlan(
            new DiskRequest(name.Value, capacity, placement.Options),
            _driver.QualifiedName,
            parsed.FsType,
            volumeOptions.ToFrozenDictionary(StringComparer.Ordinal),
            capacity,
            claim.AccessModes,
            claim,
            storageClass.Name,
            storageClass.MountOptions,
            ReclaimPolicyOf(storageClass),
            placement.NodeAffinity);
    }

    public static ByteSize RoundUp(ByteSize size, ByteSize unit) =>
        new((size.Bytes + unit.Bytes - 1) / unit.Bytes * unit.Bytes);

    /// <summary>The parsers speak of options; say which StorageClass holds the one they name.</summary>
    private static T InClass<T>(ProvisioningClass storageClass, Func<T> check)
    {
        try
        {
            return check();
        }
        catch (InvalidOptionException e)
        {
            throw new InvalidOptionException(e.Key, $"StorageClass {storageClass.Name}: {e.Message}");
        }
    }

    /// <summary>The claim's storage request in bytes (rounded up as Quantity.Value() does), within what a backend creates.</summary>
    private static ByteSize RequestedSize(ProvisioningClaim claim)
    {
        var text = claim.RequestedStorage;
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ProvisioningRefusedException($"claim {claim.Describe()} requests no storage (spec.resources.requests.storage)");
        }

        if (!StorageQuantity.TryParseBytes(text, out var bytes, out var problem))
        {
            throw new ProvisioningRefusedException($"claim {claim.Describe()}: its storage request '{PrintableText.Of(text)}' is not a size: {problem}");
        }

        return bytes switch
        {
            <= 0 => throw new ProvisioningRefusedException($"claim {claim.Describe()} requests {PrintableText.Of(text)} of storage; a disk must be larger than 0 bytes"),
            _ when bytes > ByteSize.Max.Bytes => throw new ProvisioningRefusedException($"claim {claim.Describe()} requests {PrintableText.Of(text)}, more than the largest disk this driver creates ({ByteSize.Max})"),
            _ => new ByteSize(bytes),
        };
    }

    private static void CheckAccessModes(ProvisioningClaim claim)
    {
        if (claim.AccessModes.Count == 0)
        {
            throw new ProvisioningRefusedException($"claim {claim.Describe()} names no access mode; ask for ReadWriteOnce");
        }

        // A disk is attached to one node at a time: two nodes writing one ext4 or xfs filesystem
        // corrupt it, and a new, empty disk shared read-only holds nothing to read.
        foreach (var mode in claim.AccessModes)
        {
            if (mode is ProvisioningNames.ReadWriteMany or ProvisioningNames.ReadOnlyMany)
            {
                throw new ProvisioningRefusedException($"claim {claim.Describe()} asks for access mode {mode}, and a disk of this driver attaches to one node at a time; ask for ReadWriteOnce (or ReadWriteOncePod)");
            }
        }
    }

    /// <summary>
    /// The PV's options: the class parameters but its fsType, plus the size; the class's mountOptions
    /// become the driver's mountOptions option too, since kubelet does not hand a FlexVolume driver
    /// the PV's spec.mountOptions.
    /// </summary>
    private (Dictionary<string, string> Options, string? FsType) OptionsFrom(ProvisioningClass storageClass, ByteSize capacity)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        string? fsType = null;
        foreach (var (key, value) in storageClass.Parameters)
        {
            if (ProvisioningNames.FsTypeParameters.Contains(key, StringComparer.Ordinal))
            {
                fsType = value.Length > 0 ? value : fsType;
                continue;
            }

            if (key.StartsWith(OptionKeys.KubernetesPrefix, StringComparison.Ordinal))
            {
                throw new InvalidOptionException(key, $"StorageClass {storageClass.Name}: parameter '{PrintableText.Of(key)}' is in kubelet's kubernetes.io/ namespace, which kubelet fills itself; remove it");
            }

            if (key == OptionKeys.Size)
            {
                throw new InvalidOptionException(key, $"StorageClass {storageClass.Name}: parameter '{OptionKeys.Size}' is not a class parameter; each disk gets the size its claim requests");
            }

            if (_profile.RefusalOf(key) is { } refusal)
            {
                throw new InvalidOptionException(key, $"StorageClass {storageClass.Name}: parameter {refusal}");
            }

            options[key] = value;
        }

        if (storageClass.MountOptions.Count > 0 && !options.ContainsKey(OptionKeys.MountOptions) && !options.ContainsKey(OptionKeys.LegacyMountOptions))
        {
            options[OptionKeys.MountOptions] = string.Join(',', storageClass.MountOptions);
        }

        options[OptionKeys.Size] = capacity.ToString();
        return (options, fsType);
    }

    private static string ReclaimPolicyOf(ProvisioningClass storageClass) => storageClass.ReclaimPolicy switch
    {
        null or "" or ProvisioningNames.ReclaimDelete => ProvisioningNames.ReclaimDelete,
        ProvisioningNames.ReclaimRetain => ProvisioningNames.ReclaimRetain,
        var other => throw new InvalidOptionException("reclaimPolicy", $"StorageClass {storageClass.Name}: reclaimPolicy '{PrintableText.Of(other)}' is not served; use Delete or Retain"),
    };
}
