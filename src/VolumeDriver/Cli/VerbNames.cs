using System.Collections.Frozen;

namespace VolumeDriver.Cli;

/// <summary>The verbs kubelet and operators use, and which of them this driver answers Not supported.</summary>
internal static class VerbNames
{
    public const string Init = "init";
    public const string GetVolumeName = "getvolumename";
    public const string Attach = "attach";
    public const string WaitForAttach = "waitforattach";
    public const string IsAttached = "isattached";
    public const string MountDevice = "mountdevice";
    public const string UnmountDevice = "unmountdevice";
    public const string Detach = "detach";
    public const string Mount = "mount";
    public const string Unmount = "unmount";
    public const string ExpandVolume = "expandvolume";
    public const string ExpandFs = "expandfs";
    public const string Delete = "delete";

    /// <summary>
    /// Verbs answered Not supported whatever their arguments, because kubelet caches that answer for
    /// the life of the plugin: getvolumename (kubelet ignores its result), mount/unmount (kubelet
    /// bind-mounts the global mount itself).
    /// </summary>
    public static readonly FrozenDictionary<string, string> NotSupported = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [GetVolumeName] = "kubelet names the volume after the PV itself",
        [Mount] = "kubelet bind-mounts the device mount into the pod",
        [Unmount] = "kubelet removes the pod's bind mount itself",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Verbs that do work.</summary>
    public static readonly FrozenSet<string> Implemented = FrozenSet.Create(
        StringComparer.Ordinal, Init, Attach, WaitForAttach, IsAttached, MountDevice, UnmountDevice, Detach, ExpandVolume, ExpandFs, Delete);

    // Operators' commands beyond delete (kubelet never runs them; they may print tables).
    public const string Doctor = "doctor";
    public const string Install = "install";
    public const string List = "list";
    public const string MigrateVhd = "migrate-vhd";

    /// <summary>The long-running dynamic provisioner, which a Deployment runs (not kubelet).</summary>
    public const string Provisioner = "provisioner";

    /// <summary>The operators' commands doctor, install, list and migrate-vhd, and the provisioner mode.</summary>
    public static readonly FrozenSet<string> OperatorCommands = FrozenSet.Create(StringComparer.Ordinal, Doctor, Install, List, MigrateVhd, Provisioner);
}
