using System.Globalization;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using VolumeDriver.Backends.VCloud.Models;
using VolumeDriver.CloudCalls;
using VolumeDriver.Domain;
using VolumeDriver.Errors;

namespace VolumeDriver.Backends.VCloud;

/// <summary>
/// The typed vCloud operations the backend needs, each a few requests at most: disks and VMs are
/// found with the query service filtered by name (never by walking every vApp, as the Python driver
/// did), entities are followed by their links, and every change is a Task waited for with a deadline.
/// </summary>
internal sealed partial class VCloudClient
{
    private const int PageSize = 128;

    private readonly VCloudConnection _connection;
    private readonly VCloudClientOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly RetryLoop _retry;
    private readonly ILogger _logger;

    /// <param name="options">The retry knobs (BUSY_ENTITY's backoff, the task polls); the connection has the same options.</param>
    public VCloudClient(VCloudConnection connection, VCloudClientOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _connection = connection;
        _options = options;
        _timeProvider = timeProvider;
        _retry = new RetryLoop(timeProvider);
        _logger = logger;
    }

    /// <summary>Every disk of the VDC with this name (vCD allows duplicates; callers refuse them).</summary>
    public async Task<IReadOnlyList<VCloudDisk>> FindDisksAsync(string name, CancellationToken cancellationToken)
    {
        var session = await _connection.SessionAsync(cancellationToken);
        var filter = $"name=={EscapeFilterValue(name)};vdc=={VdcUrn(session)}";
        var records = await QueryAsync("disk", filter, cancellationToken);
        return records.Select(ParseDiskRecord).Where(d => d.Name == name).ToList();
    }

    /// <summary>Every disk of the VDC.</summary>
    public async Task<IReadOnlyList<VCloudDisk>> ListDisksAsync(CancellationToken cancellationToken)
    {
        var session = await _connection.SessionAsync(cancellationToken);
        var records = await QueryAsync("disk", $"vdc=={VdcUrn(session)}", cancellationToken);
        return records.Select(ParseDiskRecord).ToList();
    }

    /// <summary>The VMs named <paramref name="name"/> in the VDC (and the vApp, when given).</summary>
    public async Task<IReadOnlyList<VCloudVmRecord>> FindVmsAsync(string name, string? vApp, CancellationToken cancellationToken)
    {
        var session = await _connection.SessionAsync(cancellationToken);
        var filter = $"isVAppTemplate==false;name=={EscapeFilterValue(name)};vdc=={VdcUrn(session)}";
        if (vApp is not null)
        {
            filter += $";containerName=={EscapeFilterValue(vApp)}";
        }

        var records = await QueryAsync("vm", filter, cancellationToken);
        return records
            .Select(r => new VCloudVmRecord(
                VCloudXml.Href(r),
                (string?)r.Attribute("name") ?? string.Empty,
                (string?)r.Attribute("containerName"),
                string.Equals((string?)r.Attribute("status"), "POWERED_ON", StringComparison.Ordinal)))
            .Where(vm => vm.Name == name)
            .ToList();
    }

    /// <summary>The VMs a disk is attached to; an empty list when it is attached nowhere.</summary>
    public async Task<IReadOnlyList<VCloudVmReference>> AttachedVmsAsync(VCloudDisk disk, CancellationToken cancellationToken)
    {
        var vms = await _connection.GetAsync(new Uri(disk.Href.ToString().TrimEnd('/') + "/attachedVms"), cancellationToken);
        return vms is null
            ? []
            : vms.Elements(VCloudXml.VCloud + "VmReference").Select(r => new VCloudVmReference(VCloudXml.Href(r), (string?)r.Attribute("name") ?? string.Empty)).ToList();
    }

    /// <summary>The VM entity, with its disk action links and the slots of its independent disks.</summary>
    public async Task<VCloudVm> GetVmAsync(Uri href, CancellationToken cancellationToken)
    {
        var vm = await _connection.GetAsync(href, cancellationToken) ?? throw new VCloudProtocolException($"VM {href.AbsolutePath} answered with an empty body");
        return new VCloudVm(
            href,
            (string?)vm.Attribute("name") ?? string.Empty,
            (string?)vm.Attribute("status") == "4",
            VCloudXml.FindLink(vm, VCloudXml.RelDiskAttach, VCloudXml.DiskAttachOrDetachParamsMediaType),
            VCloudXml.FindLink(vm, VCloudXml.RelDiskDetach, VCloudXml.DiskAttachOrDetachParamsMediaType),
            ParseDisks(vm));
    }

    /// <summary>The VDC's create-disk link and storage profiles.</summary>
    public async Task<VCloudVdc> GetVdcAsync(CancellationToken cancellationToken)
    {
        var session = await _connection.SessionAsync(cancellationToken);
        var vdc = await _connection.GetAsync(session.VdcHref, cancellationToken) ?? throw new VCloudProtocolException("the VDC answered with an empty body");
        var create = VCloudXml.FindLink(vdc, VCloudXml.RelAdd, VCloudXml.DiskCreateParamsMediaType)
            ?? throw new DiskOperationException($"the VDC {session.VdcHref.AbsolutePath} offers no way to create disks (no 'add' link for {VCloudXml.DiskCreateParamsMediaType}); check that the user may create independent disks.");
        var profiles = new Dictionary<string, Uri>(StringComparer.Ordinal);
        foreach (var profile in vdc.Elements(VCloudXml.VCloud + "VdcStorageProfiles").Elements(VCloudXml.VCloud + "VdcStorageProfile"))
        {
            if ((string?)profile.Attribute("name") is { } name)
            {
                profiles[name] = VCloudXml.Href(profile);
            }
        }

        return new VCloudVdc(session.VdcHref, create, profiles);
    }

    /// <summary>Creates a disk and waits for its creation task; returns the new disk's href.</summary>
    public async Task<Uri> CreateDiskAsync(VCloudVdc vdc, VCloudDiskSpec spec, Deadline deadline, CancellationToken cancellationToken)
    {
        var session = await _connection.SessionAsync(cancellationToken);
        var diskElement = new XElement(VCloudXml.VCloud + "Disk", new XAttribute("name", spec.Name));
        if (session.Version >= VCloudApiVersion.SizeInMegabytes)
        {
            diskElement.Add(new XAttribute("sizeMb", (spec.SizeBytes / ByteMiB).ToString(CultureInfo.InvariantCulture)));
        }
        else
        {
            diskElement.Add(new XAttribute("size", spec.SizeBytes.ToString(CultureInfo.InvariantCulture)));
        }

        diskElement.Add(new XAttribute("busType", spec.Bus.BusType), new XAttribute("busSubType", spec.Bus.BusSubType));
        diskElement.Add(new XElement(VCloudXml.VCloud + "Description", spec.Description));
        if (spec.StorageProfile is { } profile)
        {
            // Without one, vCD uses the VDC's default profile.
            diskElement.Add(new XElement(
                VCloudXml.VCloud + "StorageProfile",
                new XAttribute("href", profile.Href),
                new XAttribute("name", profile.Name),
                new XAttribute("type", VCloudXml.StorageProfileMediaType)));
        }
        var body = new XElement(VCloudXml.VCloud + "DiskCreateParams", diskElement);

        var created = await SendChangeAsync(HttpMethod.Post, vdc.CreateDiskLink, body, VCloudXml.DiskCreateParamsMediaType, deadline, cancellationToken);
        var href = VCloudXml.Href(created);
        var task = created.Element(VCloudXml.VCloud + "Tasks")?.Element(VCloudXml.VCloud + "Task");
        if (task is not null)
        {
            await WaitForTaskAsync(ParseTask(task), $"creating disk '{spec.Name}'", deadline, cancellationToken);
        }

        return href;
    }

    /// <summary>Attaches or detaches a disk through the VM's action link and waits for the task.</summary>
    public async Task AttachOrDetachAsync(Uri actionLink, VCloudDisk disk, string what, Deadline deadline, CancellationToken cancellationToken)
    {
        var body = new XElement(
            VCloudXml.VCloud + "DiskAttachOrDetachParams",
            new XElement(VCloudXml.VCloud + "Disk", new XAttribute("type", VCloudXml.DiskMediaType), new XAttribute("href", disk.Href)));
        var task = await SendChangeAsync(HttpMethod.Post, actionLink, body, VCloudXml.DiskAttachOrDetachParamsMediaType, deadline, cancellationToken);
        await WaitForTaskAsync(ParseTask(task), what, deadline, cancellationToken);
    }

    /// <summary>Deletes a disk through its remove link and waits for the task.</summary>
    public async Task DeleteDiskAsync(VCloudDisk disk, Deadline deadline, CancellationToken cancellationToken)
    {
        var task = await SendChangeAsync(HttpMethod.Delete, disk.Href, null, null, deadline, cancellationToken);
        await WaitForTaskAsync(ParseTask(task), $"deleting disk '{disk.Name}'", deadline, cancellationToken);
    }

    /// <summary>Grows a disk (PUT of the Disk with its name and new size) and waits for the task.</summary>
    public async Task ResizeDiskAsync(VCloudDisk disk, long sizeBytes, Deadline deadline, CancellationToken cancellationToken)
    {
        var session = await _connection.SessionAsync(cancellationToken);
        var diskElement = new XElement(VCloudXml.VCloud + "Disk", new XAttribute("name", disk.Name));
        diskElement.Add(session.Version >= VCloudApiVersion.SizeInMegabytes
            ? new XAttribute("sizeMb", (sizeBytes / ByteMiB).ToString(CultureInfo.InvariantCulture))
            : new XAttribute("size", sizeBytes.ToString(CultureInfo.InvariantCulture)));
        var task = await SendChangeAsync(HttpMethod.Put, disk.Href, diskElement, VCloudXml.DiskMediaType, deadline, cancellationToken);
        await WaitForTaskAsync(ParseTask(task), $"resizing disk '{disk.Name}'", deadline, cancellationToken);
    }

    private const long ByteMiB = 1024 * 1024;

    /// <summary>
    /// Sends a change and returns the answer (a Task or an entity with its tasks). BUSY_ENTITY (the
    /// VM or disk runs another task) is retried with backoff until the deadline.
    /// </summary>
    private async Task<XElement> SendChangeAsync(HttpMethod method, Uri uri, XElement? body, string? contentType, Deadline deadline, CancellationToken cancellationToken)
    {
        return await _retry.RunAsync(
            _options.BusyRetry,
            deadline,
            async token => await _connection.SendAsync(method, uri, body, contentType, uuidVersion: false, token)
                ?? throw new VCloudProtocolException($"{method} {uri.AbsolutePath} answered with an empty body instead of a Task"),
            attempt => attempt.Exception is CloudRequestException { IsBusyEntity: true },
            null,
            (_, delay) => LogBusy(_logger, method.Method, uri.AbsolutePath, delay.TotalSeconds),
            cancellationToken);
    }

    /// <summary>Polls a task until it ends or the deadline passes (pyvcloud's wait never timed out).</summary>
    public async Task WaitForTaskAsync(VCloudTask task, string what, Deadline deadline, CancellationToken cancellationToken)
    {
        var interval = _options.FirstTaskPoll;
        while (task.IsRunning)
        {
            var remaining = deadline.Remaining;
            if (remaining <= TimeSpan.Zero)
            {
                throw new DeadlineExceededException(
                    what,
                    deadline.Budget,
                    $"vCloud task {task.Href.AbsolutePath} ({what}) is still {task.Status}; it may yet finish, and kubelet's retry will find its result. Check the task in vCloud Director if it stays stuck");
            }

            await Task.Delay(interval < remaining ? interval : remaining, _timeProvider, cancellationToken);
            interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, _options.MaxTaskPoll.Ticks));
            var refreshed = await _connection.GetAsync(task.Href, cancellationToken) ?? throw new VCloudProtocolException($"task {task.Href.AbsolutePath} answered with an empty body");
            task = ParseTask(refreshed);
        }

        if (!task.Succeeded)
        {
            // An error task's Error element carries the message and vCD's minor code (BUSY_ENTITY,
            // INTERNAL_SERVER_ERROR...); an aborted or canceled one usually carries neither.
            var reason = (task.ErrorMessage, task.ErrorMinorCode) switch
            {
                ({ } message, { } code) => $": {message} ({code})",
                ({ } message, null) => $": {message}",
                (null, { } code) => $" ({code})",
                _ => task.Status is "aborted" or "canceled" ? " without doing its work; run the verb again once vCloud Director shows why" : string.Empty,
            };
            throw new VCloudTaskFailedException(task, $"vCloud task {task.OperationName ?? task.Href.AbsolutePath} ({what}) ended {task.Status}{reason}");
        }
    }

    private async Task<List<XElement>> QueryAsync(string type, string filter, CancellationToken cancellationToken)
    {
        // The server may serve fewer records a page than asked (its maximum page size is a cell
        // setting, 128 by default): follow nextPage until there is none, whatever the page size.
        var records = new List<XElement>();
        var seen = new HashSet<Uri>();
        Uri? next = _connection.ApiUri($"api/query?type={type}&format=records&pageSize={PageSize}&filterEncoded=true&filter={Uri.EscapeDataString(filter)}");
        while (next is not null)
        {
            if (!seen.Add(next))
            {
                throw new VCloudProtocolException($"the {type} query's nextPage link leads back to a page already read ({next.PathAndQuery})");
            }

            var page = await _connection.GetAsync(next, cancellationToken, uuidVersion: true) ?? throw new VCloudProtocolException("a query answered with an empty body");
            records.AddRange(page.Elements().Where(e => e.Name.Namespace == VCloudXml.VCloud && e.Name.LocalName.EndsWith("Record", StringComparison.Ordinal)));
            next = VCloudXml.FindLink(page, VCloudXml.RelNextPage);
        }

        return records;
    }

    private static VCloudDisk ParseDiskRecord(XElement record)
    {
        long size = 0;
        if (long.TryParse((string?)record.Attribute("sizeMb"), NumberStyles.None, CultureInfo.InvariantCulture, out var mb))
        {
            size = mb * ByteMiB;
        }
        else if (long.TryParse((string?)record.Attribute("sizeB"), NumberStyles.None, CultureInfo.InvariantCulture, out var bytes))
        {
            size = bytes;
        }

        var uuid = (string?)record.Attribute("uuid");
        return new VCloudDisk(
            VCloudXml.Href(record),
            (string?)record.Attribute("name") ?? string.Empty,
            size,
            string.IsNullOrWhiteSpace(uuid) ? null : uuid,
            (string?)record.Attribute("storageProfileName"),
            (string?)record.Attribute("busType"),
            (string?)record.Attribute("busSubType"),
            string.Equals((string?)record.Attribute("isShareable"), "true", StringComparison.OrdinalIgnoreCase),
            (string?)record.Attribute("isAttached") switch
            {
                "true" => true,
                "false" => false,
                _ => null,
            });
    }

    private static VCloudTask ParseTask(XElement task)
    {
        if (task.Name.LocalName != "Task")
        {
            throw new VCloudProtocolException($"expected a Task, got a {task.Name.LocalName}");
        }

        var error = task.Element(VCloudXml.VCloud + "Error");
        return new VCloudTask(
            VCloudXml.Href(task),
            (string?)task.Attribute("status") ?? "queued",
            (string?)task.Attribute("operationName"),
            (string?)error?.Attribute("message"),
            (string?)error?.Attribute("minorErrorCode"));
    }

    /// <summary>
    /// Every disk of a VM with its slot, from its OVF hardware section: a disk item (rasd:ResourceType
    /// 17) names its controller in rasd:Parent and its unit in rasd:AddressOnParent, and carries the
    /// capacity in MB (and, for an independent disk, the disk's href) as vcloud attributes of
    /// rasd:HostResource; the controller item (the one whose rasd:InstanceID is that Parent) gives the
    /// bus number in rasd:Address and the controller kind in rasd:ResourceType and ResourceSubType.
    /// </summary>
    private static List<VCloudVmDisk> ParseDisks(XElement vm)
    {
        var items = vm.Descendants(VCloudXml.Ovf + "Item").ToList();
        var controllers = new Dictionary<string, VmDiskController>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var instance = (string?)item.Element(VCloudXml.Rasd + "InstanceID");
            if (instance is not null
                && Number(item.Element(VCloudXml.Rasd + "Address")) is { } bus
                && Number(item.Element(VCloudXml.Rasd + "ResourceType")) is { } type)
            {
                controllers[instance] = new VmDiskController(type, (string?)item.Element(VCloudXml.Rasd + "ResourceSubType"), bus);
            }
        }

        var disks = new List<VCloudVmDisk>();
        foreach (var item in items.Where(i => Number(i.Element(VCloudXml.Rasd + "ResourceType")) == DiskResourceType))
        {
            var host = item.Element(VCloudXml.Rasd + "HostResource");
            if (Number(item.Element(VCloudXml.Rasd + "AddressOnParent")) is { } unit
                && (string?)item.Element(VCloudXml.Rasd + "Parent") is { } parent
                && controllers.TryGetValue(parent, out var controller)
                && long.TryParse((string?)host?.Attribute(VCloudXml.VCloud + "capacity"), NumberStyles.None, CultureInfo.InvariantCulture, out var capacityMb))
            {
                var diskHref = (string?)host?.Attribute(VCloudXml.VCloud + "disk");
                disks.Add(new VCloudVmDisk(
                    diskHref is not null && Uri.TryCreate(diskHref, UriKind.Absolute, out var href) ? href : null,
                    controller,
                    unit,
                    capacityMb));
            }
        }

        return disks;
    }

    private const int DiskResourceType = 17;

    private static int? Number(XElement? element) =>
        int.TryParse((string?)element, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static string VdcUrn(VCloudSession session) => "urn:vcloud:vdc:" + VCloudXml.IdOf(session.VdcHref);

    /// <summary>
    /// The query service splits filters at ';' and ',' and groups with '(' ')'. Disk names are
    /// checked by <see cref="VCloudDiskName"/> to hold none of them, and VM names come from the
    /// configuration, so a value can never change the filter; refuse rather than escape, because the
    /// escaping rules differ between API versions.
    /// </summary>
    private static string EscapeFilterValue(string value) =>
        value.AsSpan().IndexOfAny(VCloudDiskName.FilterSyntax) < 0
            ? value
            : throw new InvalidOptionException("volumeName", $"'{value}' contains one of ( ) , ; \\ which vCloud's query filter cannot carry");

    [LoggerMessage(Level = LogLevel.Information, Message = "vCloud {Method} {Path}: the entity is busy with another task; retrying in {DelaySeconds:0.#} s")]
    private static partial void LogBusy(ILogger logger, string method, string path, double delaySeconds);
}
