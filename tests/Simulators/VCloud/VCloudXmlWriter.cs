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
    public static readonly XNamespace Vssd = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData";
    public static readonly XNamespace Common = "http://schemas.dmtf.org/wbem/wscim/1/common";
    public static readonly XNamespace Vmw = "http://www.vmware.com/schema/ovf";
    public static readonly XNamespace OvfEnv = "http://schemas.dmtf.org/ovf/environment/1";
    public static readonly XNamespace Xsi = "http://www.w3.org/2001/XMLSchema-instance";

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

    /// <summary>
    /// A response's root element as vCD writes it: the vcloud namespace as the default one, the
    /// prefixes of the other schemas it may use (vmext, ovf, rasd, vssd, vmw, ovfenv, common), and
    /// xsi:schemaLocation naming the server's master.xsd, as in real captured responses.
    /// </summary>
    public XElement Root(XName name, params object?[] content) =>
        new(
            name,
            new XAttribute("xmlns", V),
            new XAttribute(XNamespace.Xmlns + "vmext", Vmext),
            new XAttribute(XNamespace.Xmlns + "ovf", Ovf),
            new XAttribute(XNamespace.Xmlns + "vssd", Vssd),
            new XAttribute(XNamespace.Xmlns + "common", Common),
            new XAttribute(XNamespace.Xmlns + "rasd", Rasd),
            new XAttribute(XNamespace.Xmlns + "vmw", Vmw),
            new XAttribute(XNamespace.Xmlns + "ovfenv", OvfEnv),
            new XAttribute(XNamespace.Xmlns + "xsi", Xsi),
            new XAttribute(Xsi + "schemaLocation", $"{V} {Href("/api/v1.5/schema/master.xsd")} {Vmext} {Href("/api/v1.5/schema/vmwextensions.xsd")}"),
            content);

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

    /// <summary>
    /// The Vdc in VdcType's element order, with the links and elements a tenant sees besides the
    /// ones a disk driver reads: several "add" links (only one of them for diskCreateParams), compute
    /// capacity, networks, capabilities and quotas. The values are plausible, not captured.
    /// </summary>
    public XElement Vdc(string vdc, string vdcId, string orgId, IEnumerable<SimDisk> disks, IReadOnlyDictionary<string, string> profiles) => Root(
        V + "Vdc",
        new XAttribute("status", "1"),
        new XAttribute("name", vdc),
        new XAttribute("id", "urn:vcloud:vdc:" + vdcId),
        new XAttribute("href", Href("/api/vdc/" + vdcId)),
        new XAttribute("type", "application/vnd.vmware.vcloud.vdc+xml"),
        Link("up", Href("/api/org/" + orgId), "application/vnd.vmware.vcloud.org+xml"),
        Link("down", Href("/api/vdc/" + vdcId + "/metadata"), "application/vnd.vmware.vcloud.metadata+xml"),
        Link("edit", Href("/api/vdc/" + vdcId), "application/vnd.vmware.vcloud.vdc+xml"),
        Link("add", Href("/api/vdc/" + vdcId + "/action/uploadVAppTemplate"), "application/vnd.vmware.vcloud.uploadVAppTemplateParams+xml"),
        Link("add", Href("/api/vdc/" + vdcId + "/media"), "application/vnd.vmware.vcloud.media+xml"),
        Link("add", Href("/api/vdc/" + vdcId + "/action/instantiateVAppTemplate"), "application/vnd.vmware.vcloud.instantiateVAppTemplateParams+xml"),
        Link("add", Href("/api/vdc/" + vdcId + "/action/composeVApp"), "application/vnd.vmware.vcloud.composeVAppParams+xml"),
        Link("add", Href("/api/vdc/" + vdcId + "/disk"), "application/vnd.vmware.vcloud.diskCreateParams+xml"),
        Link("down", Href("/api/vdc/" + vdcId + "/vdcStorageProfiles"), "application/vnd.vmware.vcloud.vdcStorageProfiles+xml"),
        Link("orgVdcNetworks", Href("/cloudapi/1.0.0/orgVdcNetworks?filter=orgVdc.id==urn:vcloud:vdc:" + vdcId), "application/json"),
        new XElement(V + "Description", "Kubernetes nodes"),
        new XElement(V + "AllocationModel", "AllocationVApp"),
        new XElement(
            V + "ComputeCapacity",
            Capacity("Cpu", "MHz", 0, 0, 0, 8000),
            Capacity("Memory", "MB", 0, 0, 0, 49152)),
        new XElement(V + "ResourceEntities", disks.Select(d => new XElement(
            V + "ResourceEntity",
            new XAttribute("type", "application/vnd.vmware.vcloud.disk+xml"),
            new XAttribute("name", d.Name),
            new XAttribute("id", "urn:vcloud:disk:" + d.Id),
            new XAttribute("href", Href("/api/disk/" + d.Id))))),
        new XElement(V + "AvailableNetworks"),
        new XElement(V + "Capabilities", new XElement(V + "SupportedHardwareVersions", new XElement(V + "SupportedHardwareVersion", "vmx-19"))),
        new XElement(V + "NicQuota", "0"),
        new XElement(V + "NetworkQuota", "20"),
        new XElement(V + "UsedNetworkCount", "1"),
        new XElement(V + "VmQuota", "0"),
        new XElement(V + "IsEnabled", "true"),
        new XElement(V + "VdcStorageProfiles", profiles.Select(p => new XElement(
            V + "VdcStorageProfile",
            new XAttribute("type", "application/vnd.vmware.vcloud.vdcStorageProfile+xml"),
            new XAttribute("name", p.Key),
            new XAttribute("href", Href("/api/vdcStorageProfile/" + p.Value))))),
        new XElement(V + "VCpuInMhz2", "1000"));

    private static XElement Capacity(string name, string units, long allocated, long limit, long reserved, long used) => new(
        V + name,
        new XElement(V + "Units", units),
        new XElement(V + "Allocated", allocated.ToString(CultureInfo.InvariantCulture)),
        new XElement(V + "Limit", limit.ToString(CultureInfo.InvariantCulture)),
        new XElement(V + "Reserved", reserved.ToString(CultureInfo.InvariantCulture)),
        new XElement(V + "Used", used.ToString(CultureInfo.InvariantCulture)));

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
            Link("down", Href("/api/disk/" + disk.Id + "/metadata"), "application/vnd.vmware.vcloud.metadata+xml"),
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
    /// Around them sits what real VMs also show and a disk driver must skip (captured responses in
    /// pyvcloud's and fog's fixtures): a network adapter whose rasd:Address is its MAC, an IDE
    /// controller (InstanceID 3) with a CD/DVD drive (ResourceType 15, a HostResource without
    /// capacity), CPU and memory items with vcloud:href and their own Link children, the section's
    /// own Links, and the Vm's other sections and extension element. The second SCSI controller's
    /// InstanceID (6) is not captured.
    /// </summary>
    /// <summary>The size of every VM's OS disk (bus 0, unit 0).</summary>
    public const long OsDiskMb = 16384;

    public XElement Vm(SimVmState vm, IReadOnlyDictionary<string, SimDisk> disks, IReadOnlyDictionary<string, string> profileIds)
    {
        const string ControllerInstance = "6";
        const int ControllerBus = 1;
        var vmHref = Href("/api/vApp/vm-" + vm.Id);
        var section = vmHref + "/virtualHardwareSection";
        var items = new List<XElement>
        {
            new(Ovf + "Item",
                new XElement(Rasd + "Address", MacOf(vm.Id)),
                new XElement(Rasd + "AddressOnParent", "0"),
                new XElement(Rasd + "AutomaticAllocation", "true"),
                new XElement(Rasd + "Connection", new XAttribute(V + "ipAddressingMode", "DHCP"), new XAttribute(V + "primaryNetworkConnection", "true"), "k8s-net"),
                new XElement(Rasd + "Description", "Vmxnet3 ethernet adapter on \"k8s-net\""),
                new XElement(Rasd + "ElementName", "Network adapter 0"),
                new XElement(Rasd + "InstanceID", "1"),
                new XElement(Rasd + "ResourceSubType", "VMXNET3"),
                new XElement(Rasd + "ResourceType", "10")),
            new(Ovf + "Item",
                new XElement(Rasd + "Address", "0"),
                new XElement(Rasd + "Description", "SCSI Controller"),
                new XElement(Rasd + "ElementName", "SCSI Controller 0"),
                new XElement(Rasd + "InstanceID", "2"),
                new XElement(Rasd + "ResourceSubType", "VirtualSCSI"),
                new XElement(Rasd + "ResourceType", "6")),
            new(Ovf + "Item",
                new XElement(Rasd + "Address", "0"),
                new XElement(Rasd + "Description", "IDE Controller"),
                new XElement(Rasd + "ElementName", "IDE Controller 0"),
                new XElement(Rasd + "InstanceID", "3"),
                new XElement(Rasd + "ResourceType", "5")),
            new(Ovf + "Item",
                new XElement(Rasd + "AddressOnParent", "0"),
                new XElement(Rasd + "AutomaticAllocation", "false"),
                new XElement(Rasd + "Description", "CD/DVD Drive"),
                new XElement(Rasd + "ElementName", "CD/DVD Drive 1"),
                new XElement(Rasd + "HostResource"),
                new XElement(Rasd + "InstanceID", "3002"),
                new XElement(Rasd + "Parent", "3"),
                new XElement(Rasd + "ResourceType", "15")),
            QuantityItem(section + "/cpu", "hertz * 10^6", "Number of Virtual CPUs", "4 virtual CPU(s)", "4", "3", "4", new XElement(Vmw + "CoresPerSocket", new XAttribute(Ovf + "required", "false"), "2")),
            QuantityItem(section + "/memory", "byte * 2^20", "Memory Size", "16384 MB of memory", "5", "4", "16384", null),
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
            vm.PoweredOn
                ? new object[]
                {
                    Link("power:reboot", vmHref + "/power/action/reboot"),
                    Link("power:powerOff", vmHref + "/power/action/powerOff"),
                    Link("undeploy", vmHref + "/action/undeploy", "application/vnd.vmware.vcloud.undeployVAppParams+xml"),
                    Link("power:shutdown", vmHref + "/power/action/shutdown"),
                    Link("screen:thumbnail", vmHref + "/screen"),
                }
                : new object[]
                {
                    Link("power:powerOn", vmHref + "/power/action/powerOn"),
                    Link("deploy", vmHref + "/action/deploy", "application/vnd.vmware.vcloud.deployVAppParams+xml"),
                    Link("edit", vmHref, "application/vnd.vmware.vcloud.vm+xml"),
                    Link("remove", vmHref),
                },
            Link("down", vmHref + "/metadata", "application/vnd.vmware.vcloud.metadata+xml"),
            Link("down", vmHref + "/productSections/", "application/vnd.vmware.vcloud.productSections+xml"),
            Link("up", Href("/api/vApp/vapp-" + vm.VAppId), "application/vnd.vmware.vcloud.vApp+xml"),
            Link("disk:attach", vmHref + "/disk/action/attach", "application/vnd.vmware.vcloud.diskAttachOrDetachParams+xml"),
            Link("disk:detach", vmHref + "/disk/action/detach", "application/vnd.vmware.vcloud.diskAttachOrDetachParams+xml"),
            Link("snapshot:create", vmHref + "/action/createSnapshot", "application/vnd.vmware.vcloud.createSnapshotParams+xml"),
            new XElement(V + "Description"),
            vm.BusyWith is { } busy ? new XElement(V + "Tasks", Task(busy, withRoot: false)) : null,
            new XElement(
                V + "VCloudExtension",
                new XAttribute("required", "false"),
                new XElement(
                    Vmext + "VmVimInfo",
                    new XElement(
                        Vmext + "VmVimObjectRef",
                        new XElement(Vmext + "VimServerRef", new XAttribute("href", Href("/api/admin/extension/vimServer/7e3f0f2a-5b1d-4c09-9e0e-0d5f2b1c4a11")), new XAttribute("name", "vc1"), new XAttribute("type", "application/vnd.vmware.admin.vmwvirtualcenter+xml")),
                        new XElement(Vmext + "MoRef", "vm-" + Convert.ToInt32(vm.Id[..4], 16).ToString(CultureInfo.InvariantCulture)),
                        new XElement(Vmext + "VimObjectType", "VIRTUAL_MACHINE")),
                    new XElement(Vmext + "VirtualDisksMaxChainLength", "1"))),
            new XElement(V + "DateCreated", "2026-01-05T09:12:44.120Z"),
            new XElement(
                Ovf + "VirtualHardwareSection",
                new XAttribute(Ovf + "transport", string.Empty),
                new XAttribute(V + "href", section + "/"),
                new XAttribute(V + "type", "application/vnd.vmware.vcloud.virtualHardwareSection+xml"),
                new XElement(Ovf + "Info", "Virtual hardware requirements"),
                new XElement(
                    Ovf + "System",
                    new XElement(Vssd + "ElementName", "Virtual Hardware Family"),
                    new XElement(Vssd + "InstanceID", "0"),
                    new XElement(Vssd + "VirtualSystemIdentifier", vm.Name),
                    new XElement(Vssd + "VirtualSystemType", "vmx-19")),
                items,
                Link("edit", section + "/", "application/vnd.vmware.vcloud.virtualHardwareSection+xml"),
                Link("down", section + "/cpu", "application/vnd.vmware.vcloud.rasdItem+xml"),
                Link("down", section + "/memory", "application/vnd.vmware.vcloud.rasdItem+xml"),
                Link("down", section + "/disks", "application/vnd.vmware.vcloud.rasdItemsList+xml"),
                Link("down", section + "/media", "application/vnd.vmware.vcloud.rasdItemsList+xml"),
                Link("down", section + "/networkCards", "application/vnd.vmware.vcloud.rasdItemsList+xml")),
            new XElement(
                Ovf + "OperatingSystemSection",
                new XAttribute(Ovf + "id", "94"),
                new XAttribute(V + "href", vmHref + "/operatingSystemSection/"),
                new XAttribute(V + "type", "application/vnd.vmware.vcloud.operatingSystemSection+xml"),
                new XAttribute(Vmw + "osType", "ubuntu64Guest"),
                new XElement(Ovf + "Info", "Specifies the operating system installed"),
                new XElement(Ovf + "Description", "Ubuntu Linux (64-bit)")),
            new XElement(
                V + "NetworkConnectionSection",
                new XAttribute("href", vmHref + "/networkConnectionSection/"),
                new XAttribute("type", "application/vnd.vmware.vcloud.networkConnectionSection+xml"),
                new XAttribute(Ovf + "required", "false"),
                new XElement(Ovf + "Info", "Specifies the available VM network connections"),
                new XElement(V + "PrimaryNetworkConnectionIndex", "0"),
                new XElement(
                    V + "NetworkConnection",
                    new XAttribute("needsCustomization", "false"),
                    new XAttribute("network", "k8s-net"),
                    new XElement(V + "NetworkConnectionIndex", "0"),
                    new XElement(V + "IsConnected", "true"),
                    new XElement(V + "MACAddress", MacOf(vm.Id)),
                    new XElement(V + "IpAddressAllocationMode", "DHCP"),
                    new XElement(V + "NetworkAdapterType", "VMXNET3"))),
            new XElement(V + "VAppScopedLocalId", vm.Name),
            new XElement(V + "VmCapabilities", new XElement(V + "MemoryHotAddEnabled", "false"), new XElement(V + "CpuHotAddEnabled", "false")),
            new XElement(V + "StorageProfile", new XAttribute("type", "application/vnd.vmware.vcloud.vdcStorageProfile+xml"), new XAttribute("href", Href("/api/vdcStorageProfile/" + profileIds.Values.First()))));
    }

    /// <summary>A CPU or memory item: editable on its own (vcloud:href and an edit link), with a quantity.</summary>
    private static XElement QuantityItem(string href, string units, string description, string elementName, string instance, string resourceType, string quantity, XElement? extra) => new(
        Ovf + "Item",
        new XAttribute(V + "href", href),
        new XAttribute(V + "type", "application/vnd.vmware.vcloud.rasdItem+xml"),
        new XElement(Rasd + "AllocationUnits", units),
        new XElement(Rasd + "Description", description),
        new XElement(Rasd + "ElementName", elementName),
        new XElement(Rasd + "InstanceID", instance),
        new XElement(Rasd + "Reservation", "0"),
        new XElement(Rasd + "ResourceType", resourceType),
        new XElement(Rasd + "VirtualQuantity", quantity),
        new XElement(Rasd + "Weight", "0"),
        extra,
        Link("edit", href, "application/vnd.vmware.vcloud.rasdItem+xml"));

    /// <summary>A VMware MAC (00:50:56 prefix) derived from the VM's id.</summary>
    private static string MacOf(string vmId) =>
        "00:50:56:" + string.Join(':', vmId.Replace("-", string.Empty, StringComparison.Ordinal).Substring(0, 6).Chunk(2).Select(c => new string(c)));

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

    /// <summary>
    /// A page of query results as vCD answers it (a captured vApp query's answer has this shape):
    /// href is this page's own URL; firstPage and previousPage links from page 2 on; nextPage and
    /// lastPage links while pages remain; alternate links to the same page in the references and
    /// idrecords formats. <paramref name="pageHref"/> gives the URL of page N in a format.
    /// </summary>
    public XElement QueryRecords(string type, int page, int pageSize, int total, IEnumerable<XElement> records, Func<int, string, string> pageHref)
    {
        const string RecordsType = "application/vnd.vmware.vcloud.query.records+xml";
        var lastPage = Math.Max(1, (total + pageSize - 1) / pageSize);
        var root = Root(
            V + "QueryResultRecords",
            new XAttribute("total", total.ToString(CultureInfo.InvariantCulture)),
            new XAttribute("pageSize", pageSize.ToString(CultureInfo.InvariantCulture)),
            new XAttribute("page", page.ToString(CultureInfo.InvariantCulture)),
            new XAttribute("name", type),
            new XAttribute("type", RecordsType),
            new XAttribute("href", pageHref(page, "records")));
        if (page > 1)
        {
            root.Add(Link("firstPage", pageHref(1, "records"), RecordsType));
            root.Add(Link("previousPage", pageHref(Math.Min(page, lastPage + 1) - 1, "records"), RecordsType));
        }

        if (page < lastPage)
        {
            root.Add(Link("nextPage", pageHref(page + 1, "records"), RecordsType));
            root.Add(Link("lastPage", pageHref(lastPage, "records"), RecordsType));
        }

        root.Add(Link("alternate", pageHref(page, "references"), "application/vnd.vmware.vcloud.query.references+xml"));
        root.Add(Link("alternate", pageHref(page, "idrecords"), "application/vnd.vmware.vcloud.query.idrecords+xml"));
        root.Add(records);
        return root;
    }
}
