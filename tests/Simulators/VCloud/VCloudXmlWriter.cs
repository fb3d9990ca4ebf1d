using System.Globalization;
using System.Xml.Linq;

namespace Simulators.VCloud;

/// <summary>
/// Renders the double's entities in the shapes of the vCloud API reference (go-vcloud-director's
/// golden files and types, pyvcloud's media types): absolute hrefs, the vcloud/v1.5 namespace, and
/// version-dependent attributes (size in bytes below 33, sizeMb from 33, uuid from 36).
/// </summary>
internal sealed class VCloudXmlWriter
{
    public static readonly XNamespace V = "http://www.vmware.com/vcloud/v1.5";
    public static readonly XNamespace VersionsNs = "http://www.vmware.com/vcloud/versions";
    public static readonly XNamespace Ovf = "http://schemas.dmtf.org/ovf/envelope/1";
    public static readonly XNamespace Rasd = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData";
    public static readonly XNamespace Vmext = "http://www.vmware.com/vcloud/extension/v1.5";

    /// <summary>The vCD site (cell group) id that Session's locationId names after the org id.</summary>
    private const string SiteId = "cb33a646-6652-4628-95d1-8f4e1e1d6d3f";

    private readonly string _base;

    public VCloudXmlWriter(string baseUrl)
    {
        _base = baseUrl.TrimEnd('/');
    }

    public string Href(string path) => _base + path;

    public static XElement Link(string rel, string href, string? type = null, string? name = null)
    {
        var link = new XElement(V + "Link", new XAttribute("rel", rel), new XAttribute("href", href));
        if (type is not null)
        {
            link.Add(new XAttribute("type", type));
        }

        if (name is not null)
        {
            link.Add(new XAttribute("name", name));
        }

        return link;
    }

    public static XElement Root(XName name, params object[] content) =>
        new(name, new XAttribute(XNamespace.Xmlns + "vmext", Vmext), new XAttribute(XNamespace.Xmlns + "ovf", Ovf), new XAttribute(XNamespace.Xmlns + "rasd", Rasd), content);

    /// <summary>The Session of go-vcloud-director's golden api_sessions response (locationId, userId, the openapi link).</summary>
    public XElement Session(string org, string orgId, string user, string userId) => Root(
        V + "Session",
        new XAttribute("locationId", orgId + "@" + SiteId),
        new XAttribute("org", org),
        new XAttribute("roles", "Organization Administrator"),
        new XAttribute("user", user),
        new XAttribute("userId", "urn:vcloud:user:" + userId),
        new XAttribute("href", Href("/api/session")),
        new XAttribute("type", "application/vnd.vmware.vcloud.session+xml"),
        Link("down", Href("/api/org/"), "application/vnd.vmware.vcloud.orgList+xml"),
        Link("remove", Href("/api/session")),
        Link("down", Href("/api/org/" + orgId), "application/vnd.vmware.vcloud.org+xml", org),
        Link("down", Href("/api/query"), "application/vnd.vmware.vcloud.query.queryList+xml"),
        Link("entityResolver", Href("/api/entity/"), "application/vnd.vmware.vcloud.entity+xml"),
        Link("openapi", Href("/cloudapi"), "application/json"));

    public XElement OrgList(string org, string orgId) => Root(
        V + "OrgList",
        new XAttribute("href", Href("/api/org/")),
        new XAttribute("type", "application/vnd.vmware.vcloud.orgList+xml"),
        new XElement(V + "Org", new XAttribute("href", Href("/api/org/" + orgId)), new XAttribute("name", org), new XAttribute("type", "application/vnd.vmware.vcloud.org+xml")));

    public XElement Org(string org, string orgId, string vdc, string vdcId) => Root(
        V + "Org",
        new XAttribute("name", org),
        new XAttribute("id", "urn:vcloud:org:" + orgId),
        new XAttribute("href", Href("/api/org/" + orgId)),
        new XAttribute("type", "application/vnd.vmware.vcloud.org+xml"),
        Link("down", Href("/api/vdc/" + vdcId), "application/vnd.vmware.vcloud.vdc+xml", vdc),
        Link("down", Href("/api/tasksList/" + orgId), "application/vnd.vmware.vcloud.tasksList+xml"),
        new XElement(V + "Description"),
        new XElement(V + "FullName", org));

    public XElement Vdc(string vdc, string vdcId, IEnumerable<SimDisk> disks, IReadOnlyDictionary<string, string> profiles) => Root(
        V + "Vdc",
        new XAttribute("status", "1"),
        new XAttribute("name", vdc),
        new XAttribute("id", "urn:vcloud:vdc:" + vdcId),
        new XAttribute("href", Href("/api/vdc/" + vdcId)),
        new XAttribute("type", "application/vnd.vmware.vcloud.vdc+xml"),
        Link("add", Href("/api/vdc/" + vdcId + "/disk"), "application/vnd.vmware.vcloud.diskCreateParams+xml"),
        new XElement(V + "AllocationModel", "AllocationVApp"),
        new XElement(V + "ResourceEntities", disks.Select(d => new XElement(
            V + "ResourceEntity",
            new XAttribute("type", "application/vnd.vmware.vcloud.disk+xml"),
            new XAttribute("name", d.Name),
            new XAttribute("id", "urn:vcloud:disk:" + d.Id),
            new XAttribute("href", Href("/api/disk/" + d.Id))))),
        new XElement(V + "VdcStorageProfiles", profiles.Select(p => new XElement(
            V + "VdcStorageProfile",
            new XAttribute("type", "application/vnd.vmware.vcloud.vdcStorageProfile+xml"),
            new XAttribute("name", p.Key),
            new XAttribute("href", Href("/api/vdcStorageProfile/" + p.Value))))));

    public XElement Disk(SimDisk disk, double version, string vdcId, string profileId, IEnumerable<SimTask> tasks)
    {
        var element = Root(
            V + "Disk",
            new XAttribute("href", Href("/api/disk/" + disk.Id)),
            new XAttribute("type", "application/vnd.vmware.vcloud.disk+xml"),
            new XAttribute("id", "urn:vcloud:disk:" + disk.Id),
            new XAttribute("name", disk.Name),
            new XAttribute("status", disk.Status.ToString(CultureInfo.InvariantCulture)));
        if (version < 33)
        {
            element.Add(new XAttribute("size", (disk.SizeMb * 1024 * 1024).ToString(CultureInfo.InvariantCulture)));
        }
        else
        {
            element.Add(new XAttribute("sizeMb", disk.SizeMb.ToString(CultureInfo.InvariantCulture)));
        }

        element.Add(new XAttribute("busType", disk.BusType), new XAttribute("busSubType", disk.BusSubType));
        if (version >= 35)
        {
            element.Add(new XAttribute("shareable", disk.Shareable ? "true" : "false"), new XAttribute("sharingType", disk.Shareable ? "DiskSharing" : "None"), new XAttribute("encrypted", "false"));
        }

        if (version >= 36)
        {
            element.Add(new XAttribute("uuid", disk.Uuid));
        }

        element.Add(
            Link("up", Href("/api/vdc/" + vdcId), "application/vnd.vmware.vcloud.vdc+xml"),
            Link("edit", Href("/api/disk/" + disk.Id), "application/vnd.vmware.vcloud.disk+xml"),
            Link("remove", Href("/api/disk/" + disk.Id)),
            Link("down", Href("/api/disk/" + disk.Id + "/attachedVms"), "application/vnd.vmware.vcloud.vms+xml"),
            Link("down", Href("/api/disk/" + disk.Id + "/owner"), "application/vnd.vmware.vcloud.owner+xml"),
            new XElement(V + "Description", disk.Description));
        var taskList = tasks.ToList();
        if (taskList.Count > 0)
        {
            element.Add(new XElement(V + "Tasks", taskList.Select(t => Task(t, withRoot: false))));
        }

        element.Add(
            new XElement(V + "StorageProfile", new XAttribute("type", "application/vnd.vmware.vcloud.vdcStorageProfile+xml"), new XAttribute("name", disk.StorageProfile), new XAttribute("href", Href("/api/vdcStorageProfile/" + profileId))),
            new XElement(V + "Owner", new XAttribute("type", "application/vnd.vmware.vcloud.owner+xml"), new XElement(V + "User", new XAttribute("type", "application/vnd.vmware.admin.user+xml"), new XAttribute("name", "k8s"), new XAttribute("href", Href("/api/admin/user/00000000-0000-0000-0000-000000000001")))));
        return element;
    }

    public XElement DiskRecord(SimDisk disk, double version, string vdc, string vdcId, string profileId)
    {
        var record = new XElement(
            V + "DiskRecord",
            new XAttribute("href", Href("/api/disk/" + disk.Id)),
            new XAttribute("id", "urn:vcloud:disk:" + disk.Id),
            new XAttribute("type", "application/vnd.vmware.vcloud.disk+xml"),
            new XAttribute("name", disk.Name),
            new XAttribute("vdc", Href("/api/vdc/" + vdcId)),
            new XAttribute("vdcName", vdc),
            new XAttribute("description", disk.Description),
            new XAttribute("sizeMb", disk.SizeMb.ToString(CultureInfo.InvariantCulture)),
            new XAttribute("busType", disk.BusType),
            new XAttribute("busTypeDesc", BusTypeDescription(disk.BusType, disk.BusSubType)),
            new XAttribute("busSubType", disk.BusSubType),
            new XAttribute("storageProfile", Href("/api/vdcStorageProfile/" + profileId)),
            new XAttribute("storageProfileName", disk.StorageProfile),
            new XAttribute("status", disk.Status switch { 1 => "RESOLVED", 0 => "UNRESOLVED", _ => "FAILED_CREATION" }),
            new XAttribute("isAttached", disk.AttachedVms.Count > 0 ? "true" : "false"),
            new XAttribute("attachedVmCount", disk.AttachedVms.Count.ToString(CultureInfo.InvariantCulture)),
            new XAttribute("ownerName", "k8s"),
            new XAttribute("datastoreName", "ds1"),
            new XAttribute("task", disk.BusyWith is { } t ? Href("/api/task/" + t.Id) : string.Empty));
        if (version >= 35)
        {
            record.Add(new XAttribute("isShareable", disk.Shareable ? "true" : "false"), new XAttribute("sharingType", disk.Shareable ? "DiskSharing" : "None"), new XAttribute("encrypted", "false"));
        }

        if (version >= 36)
        {
            record.Add(new XAttribute("uuid", disk.Uuid));
        }

        return record;
    }

    /// <summary>
    /// The query's busTypeDesc: vSphere's controller names. "Paravirtual (SCSI)" for VirtualSCSI is seen
    /// in real query output (giantswarm/cloud-director-cli's example listing of CSI-made disks); the
    /// other names are vSphere's and not verified against vCD.
    /// </summary>
    public static string BusTypeDescription(string busType, string busSubType) => (busType, busSubType) switch
    {
        ("6", "VirtualSCSI") => "Paravirtual (SCSI)",
        ("6", "lsilogic") => "LSI Logic Parallel (SCSI)",
        ("6", "lsilogicsas") => "LSI Logic SAS (SCSI)",
        ("6", "buslogic") => "BusLogic Parallel (SCSI)",
        ("5", _) => "IDE",
        ("20", "vmware.nvme.controller") => "NVME",
        _ => "SATA",
    };

    public XElement VmRecord(SimVmState vm, string vdc, string vdcId) => new(
        V + "VMRecord",
        new XAttribute("href", Href("/api/vApp/vm-" + vm.Id)),
        new XAttribute("id", "urn:vcloud:vm:" + vm.Id),
        new XAttribute("name", vm.Name),
        new XAttribute("containerName", vm.VApp),
        new XAttribute("container", Href("/api/vApp/vapp-" + vm.VAppId)),
        new XAttribute("vdc", Href("/api/vdc/" + vdcId)),
        new XAttribute("vdcName", vdc),
        new XAttribute("status", vm.PoweredOn ? "POWERED_ON" : "POWERED_OFF"),
        new XAttribute("isBusy", vm.BusyWith is not null ? "true" : "false"),
        new XAttribute("isDeployed", vm.PoweredOn ? "true" : "false"),
        new XAttribute("isVAppTemplate", "false"),
        new XAttribute("guestOs", "Ubuntu Linux (64-bit)"),
        new XAttribute("hardwareVersion", "19"),
        new XAttribute("numberOfCpus", "4"),
        new XAttribute("memoryMB", "16384"));

    /// <summary>
    /// The Vm entity: status 4 (powered on) or 8 (off), the disk actions, and the OVF hardware section
    /// with two paravirtual SCSI controllers, the VM's own OS disk ("Hard disk 1", no vcloud:disk) at
    /// bus 0 unit 0, and one item per independent disk on bus 1: ResourceType 17,
    /// rasd:AddressOnParent = unit, rasd:Parent = the controller's InstanceID, and rasd:HostResource
    /// with the vcloud-namespace attributes of go-vcloud-director's VirtualHardwareHostResource
    /// (storageProfileHref, busType, busSubType, capacity in MB, disk = the independent disk's href).
    /// The "Hard disk N" names and InstanceID 2000 + 16 × bus + unit follow vSphere's numbering and
    /// are not verified against a captured response.
    /// </summary>
    /// <summary>The size of every VM's OS disk (bus 0, unit 0).</summary>
    public const long OsDiskMb = 16384;

    public XElement Vm(SimVmState vm, IReadOnlyDictionary<string, SimDisk> disks, IReadOnlyDictionary<string, string> profileIds)
    {
        const string ControllerInstance = "3";
        const int ControllerBus = 1;
        var items = new List<XElement>
        {
            new(Ovf + "Item",
                new XElement(Rasd + "Address", "0"),
                new XElement(Rasd + "Description", "SCSI Controller"),
                new XElement(Rasd + "ElementName", "SCSI Controller 0"),
                new XElement(Rasd + "InstanceID", "2"),
                new XElement(Rasd + "ResourceSubType", "VirtualSCSI"),
                new XElement(Rasd + "ResourceType", "6")),
            new(Ovf + "Item",
                new XElement(Rasd + "Address", "1"),
                new XElement(Rasd + "Description", "SCSI Controller"),
                new XElement(Rasd + "ElementName", "SCSI Controller 1"),
                new XElement(Rasd + "InstanceID", ControllerInstance),
                new XElement(Rasd + "ResourceSubType", "VirtualSCSI"),
                new XElement(Rasd + "ResourceType", "6")),
        };
        items.Add(new XElement(
            Ovf + "Item",
            new XElement(Rasd + "AddressOnParent", "0"),
            new XElement(Rasd + "Description", "Hard disk"),
            new XElement(Rasd + "ElementName", "Hard disk 1"),
            new XElement(
                Rasd + "HostResource",
                new XAttribute(V + "storageProfileHref", Href("/api/vdcStorageProfile/" + profileIds.Values.First())),
                new XAttribute(V + "busType", "6"),
                new XAttribute(V + "busSubType", "VirtualSCSI"),
                new XAttribute(V + "capacity", OsDiskMb.ToString(CultureInfo.InvariantCulture)),
                new XAttribute(V + "storageProfileOverrideVmDefault", "false")),
            new XElement(Rasd + "InstanceID", "2000"),
            new XElement(Rasd + "Parent", "2"),
            new XElement(Rasd + "ResourceType", "17")));
        var hardDisk = 2;
        foreach (var (diskId, unit) in vm.DiskUnits.OrderBy(p => p.Value))
        {
            var disk = disks[diskId];
            items.Add(new XElement(
                Ovf + "Item",
                new XElement(Rasd + "AddressOnParent", unit.ToString(CultureInfo.InvariantCulture)),
                new XElement(Rasd + "Description", "Hard disk"),
                new XElement(Rasd + "ElementName", "Hard disk " + (hardDisk++).ToString(CultureInfo.InvariantCulture)),
                new XElement(
                    Rasd + "HostResource",
                    new XAttribute(V + "storageProfileHref", Href("/api/vdcStorageProfile/" + profileIds[disk.StorageProfile])),
                    new XAttribute(V + "busType", disk.BusType),
                    new XAttribute(V + "busSubType", disk.BusSubType),
                    new XAttribute(V + "capacity", disk.SizeMb.ToString(CultureInfo.InvariantCulture)),
                    new XAttribute(V + "disk", Href("/api/disk/" + diskId)),
                    new XAttribute(V + "storageProfileOverrideVmDefault", "true")),
                new XElement(Rasd + "InstanceID", (2000 + (16 * ControllerBus) + unit).ToString(CultureInfo.InvariantCulture)),
                new XElement(Rasd + "Parent", ControllerInstance),
                new XElement(Rasd + "ResourceType", "17")));
        }

        return Root(
            V + "Vm",
            new XAttribute("needsCustomization", "false"),
            new XAttribute("deployed", vm.PoweredOn ? "true" : "false"),
            new XAttribute("status", vm.PoweredOn ? "4" : "8"),
            new XAttribute("name", vm.Name),
            new XAttribute("id", "urn:vcloud:vm:" + vm.Id),
            new XAttribute("href", Href("/api/vApp/vm-" + vm.Id)),
            new XAttribute("type", "application/vnd.vmware.vcloud.vm+xml"),
            Link("up", Href("/api/vApp/vapp-" + vm.VAppId), "application/vnd.vmware.vcloud.vApp+xml"),
            Link("disk:attach", Href("/api/vApp/vm-" + vm.Id + "/disk/action/attach"), "application/vnd.vmware.vcloud.diskAttachOrDetachParams+xml"),
            Link("disk:detach", Href("/api/vApp/vm-" + vm.Id + "/disk/action/detach"), "application/vnd.vmware.vcloud.diskAttachOrDetachParams+xml"),
            new XElement(V + "Description"),
            new XElement(Ovf + "VirtualHardwareSection", new XElement(Ovf + "Info", "Virtual hardware requirements"), items),
            new XElement(V + "VAppScopedLocalId", vm.Name));
    }

    public XElement AttachedVms(string diskId, IEnumerable<SimVmState> vms) => Root(
        V + "Vms",
        new XAttribute("type", "application/vnd.vmware.vcloud.vms+xml"),
        new XAttribute("href", Href("/api/disk/" + diskId + "/attachedVms")),
        vms.Select(vm => new XElement(
            V + "VmReference",
            new XAttribute("type", "application/vnd.vmware.vcloud.vm+xml"),
            new XAttribute("name", vm.Name),
            new XAttribute("id", "urn:vcloud:vm:" + vm.Id),
            new XAttribute("href", Href("/api/vApp/vm-" + vm.Id)))));

    public XElement Task(SimTask task, bool withRoot = true)
    {
        var content = new List<object>
        {
            new XAttribute("cancelRequested", "false"),
            new XAttribute("expiryTime", task.StartTime.AddDays(90).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)),
            new XAttribute("operation", task.Operation),
            new XAttribute("operationName", task.OperationName),
            new XAttribute("serviceNamespace", "com.vmware.cloud"),
            new XAttribute("startTime", task.StartTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)),
            new XAttribute("status", task.Status),
            new XAttribute("name", "task"),
            new XAttribute("id", "urn:vcloud:task:" + task.Id),
            new XAttribute("href", Href("/api/task/" + task.Id)),
            new XAttribute("type", "application/vnd.vmware.vcloud.task+xml"),
        };
        if (task.Status is "queued" or "preRunning" or "running")
        {
            content.Add(Link("task:cancel", Href("/api/task/" + task.Id + "/action/cancel")));
        }

        content.Add(new XElement(V + "Owner", new XAttribute("type", task.OwnerType), new XAttribute("name", task.OwnerName), new XAttribute("href", task.OwnerHref)));
        if (task.EndTime is { } end)
        {
            content.Insert(0, new XAttribute("endTime", end.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)));
        }

        if (task.ErrorMessage is not null)
        {
            content.Add(new XElement(V + "Error", new XAttribute("message", task.ErrorMessage), new XAttribute("majorErrorCode", "500"), new XAttribute("minorErrorCode", task.ErrorMinorCode ?? "INTERNAL_SERVER_ERROR")));
        }

        content.Add(new XElement(V + "User", new XAttribute("type", "application/vnd.vmware.admin.user+xml"), new XAttribute("name", task.UserName), new XAttribute("href", Href("/api/admin/user/" + task.UserId))));
        content.Add(new XElement(V + "Organization", new XAttribute("type", "application/vnd.vmware.vcloud.org+xml"), new XAttribute("name", task.OrgName), new XAttribute("href", Href("/api/org/" + task.OrgId))));
        content.Add(new XElement(V + "Progress", task.Progress.ToString(CultureInfo.InvariantCulture)));
        if (task.ErrorMessage is not null)
        {
            content.Add(new XElement(V + "Details", task.ErrorMessage));
        }

        return withRoot ? Root(V + "Task", content.ToArray()) : new XElement(V + "Task", content.ToArray());
    }

    public static XElement Error(int major, string minor, string message) =>
        new(V + "Error", new XAttribute("minorErrorCode", minor), new XAttribute("majorErrorCode", major.ToString(CultureInfo.InvariantCulture)), new XAttribute("message", message));

    public XElement Versions(IEnumerable<(string Version, bool Deprecated)> versions) => new(
        VersionsNs + "SupportedVersions",
        new XAttribute(XNamespace.Xmlns + "ns2", V),
        versions.Select(v => new XElement(
            VersionsNs + "VersionInfo",
            new XAttribute("deprecated", v.Deprecated ? "true" : "false"),
            new XElement(VersionsNs + "Version", v.Version),
            CloudApiLogin(v.Version)
                ? new object[] { new XElement(VersionsNs + "LoginUrl", Href("/cloudapi/1.0.0/sessions")), new XElement(VersionsNs + "ProviderLoginUrl", Href("/cloudapi/1.0.0/sessions/provider")) }
                : new object[] { new XElement(VersionsNs + "LoginUrl", Href("/api/sessions")) })));

    /// <summary>go-vcloud-director's golden api_versions lists the CloudAPI login URLs from 36.0 and /api/sessions before.</summary>
    private static bool CloudApiLogin(string version) => double.Parse(version, CultureInfo.InvariantCulture) >= 36;

    public XElement QueryRecords(string type, int page, int pageSize, int total, IEnumerable<XElement> records, string? nextHref)
    {
        var root = Root(
            V + "QueryResultRecords",
            new XAttribute("name", type),
            new XAttribute("page", page.ToString(CultureInfo.InvariantCulture)),
            new XAttribute("pageSize", pageSize.ToString(CultureInfo.InvariantCulture)),
            new XAttribute("total", total.ToString(CultureInfo.InvariantCulture)),
            new XAttribute("href", Href("/api/query?type=" + type)),
            new XAttribute("type", "application/vnd.vmware.vcloud.query.records+xml"));
        if (nextHref is not null)
        {
            root.Add(Link("nextPage", nextHref, "application/vnd.vmware.vcloud.query.records+xml"));
        }

        root.Add(Link("alternate", Href("/api/query?type=" + type + "&format=references"), "application/vnd.vmware.vcloud.query.references+xml"));
        root.Add(records);
        return root;
    }
}
