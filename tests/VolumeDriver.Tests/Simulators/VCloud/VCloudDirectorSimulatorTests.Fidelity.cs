using System.Globalization;
using System.Net;
using System.Xml.Linq;
using Simulators.VCloud;
using VolumeDriver.Tests.TestSupport;
using static VolumeDriver.Tests.Simulators.VCloud.RawVCloudClient;

namespace VolumeDriver.Tests.Simulators.VCloud;

/// <summary>
/// The fidelity review of the vCD double against the API schema (QueryResultRecordsType, ErrorType,
/// TaskType, VdcType, VmType) and captured responses: namespaces, links on every entity, the
/// elements a disk driver must skip, query paging, and how tasks end.
/// </summary>
public sealed partial class VCloudDirectorSimulatorTests
{
    private static readonly XNamespace Xsi = "http://www.w3.org/2001/XMLSchema-instance";

    [Fact]
    public async Task Query_pages_hold_25_records_by_default_at_most_128_and_link_first_previous_next_and_last_pages()
    {
        await using var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions()).WithTimeout();
        for (var i = 0; i < 300; i++)
        {
            simulator.SeedDisk(string.Create(CultureInfo.InvariantCulture, $"pv-{i:000}"), 64);
        }

        using var client = new RawVCloudClient(simulator);
        (await client.LoginAsync().WithTimeout()).Dispose();

        var byDefault = await client.GetAsync("api/query?type=disk&format=records").WithTimeout();
        Assert.Equal(("300", "25", "1"), ((string?)byDefault.Attribute("total"), (string?)byDefault.Attribute("pageSize"), (string?)byDefault.Attribute("page")));
        Assert.Equal(25, byDefault.Elements(V + "DiskRecord").Count());
        Assert.Contains("page=12&", PageLink(byDefault, "lastPage"), StringComparison.Ordinal);
        Assert.Null(PageLinkOrNull(byDefault, "firstPage"));
        Assert.Null(PageLinkOrNull(byDefault, "previousPage"));

        // Asked for 500 a page, the server serves its maximum and says so; the filter rides along every link.
        var filter = Uri.EscapeDataString("name==pv-*");
        var first = await client.GetAsync("api/query?type=disk&format=records&pageSize=500&filter=" + filter).WithTimeout();
        Assert.Equal(("128", "1"), ((string?)first.Attribute("pageSize"), (string?)first.Attribute("page")));
        Assert.Equal(128, first.Elements(V + "DiskRecord").Count());
        Assert.Equal(simulator.BaseUri + "api/query?type=disk&page=1&pageSize=128&format=records&filter=" + filter, (string?)first.Attribute("href"));
        Assert.Equal(simulator.BaseUri + "api/query?type=disk&page=3&pageSize=128&format=records&filter=" + filter, PageLink(first, "lastPage"));
        Assert.Equal(["alternate", "alternate"], first.Elements(V + "Link").Where(l => ((string?)l.Attribute("type"))!.EndsWith("references+xml", StringComparison.Ordinal) || ((string?)l.Attribute("type"))!.EndsWith("idrecords+xml", StringComparison.Ordinal)).Select(l => (string)l.Attribute("rel")!));

        var names = first.Elements(V + "DiskRecord").Select(r => (string)r.Attribute("name")!).ToList();
        var page = first;
        while (PageLinkOrNull(page, "nextPage") is { } next)
        {
            page = await client.GetAsync(next).WithTimeout();
            names.AddRange(page.Elements(V + "DiskRecord").Select(r => (string)r.Attribute("name")!));
        }

        Assert.Equal("3", (string?)page.Attribute("page"));
        Assert.Equal(300 - 256, page.Elements(V + "DiskRecord").Count());
        Assert.Equal(simulator.BaseUri + "api/query?type=disk&page=1&pageSize=128&format=records&filter=" + filter, PageLink(page, "firstPage"));
        Assert.Equal(simulator.BaseUri + "api/query?type=disk&page=2&pageSize=128&format=records&filter=" + filter, PageLink(page, "previousPage"));
        Assert.Null(PageLinkOrNull(page, "lastPage"));
        Assert.Equal(300, names.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal("pv-299", names[^1]);
    }

    [Fact]
    public async Task A_provider_may_lower_the_maximum_page_size_and_the_answer_says_what_it_served()
    {
        await using var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions { QueryMaxPageSize = 10 }).WithTimeout();
        for (var i = 0; i < 25; i++)
        {
            simulator.SeedDisk(string.Create(CultureInfo.InvariantCulture, $"pv-{i:00}"), 64);
        }

        using var client = new RawVCloudClient(simulator);
        (await client.LoginAsync().WithTimeout()).Dispose();

        var page = await client.GetAsync("api/query?type=disk&format=records&pageSize=128").WithTimeout();

        Assert.Equal("10", (string?)page.Attribute("pageSize"));
        Assert.Equal(10, page.Elements(V + "DiskRecord").Count());
        Assert.Contains("page=3&pageSize=10&", PageLink(page, "lastPage"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_entity_root_declares_the_vcloud_namespace_xsi_schema_location_and_its_links()
    {
        await using var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions()).WithTimeout();
        simulator.SeedDisk("pv-ns", 64);
        using var client = new RawVCloudClient(simulator);
        (await client.LoginAsync().WithTimeout()).Dispose();
        var vdc = await VdcAsync(client).WithTimeout();
        var disk = await client.DiskHrefAsync("pv-ns").WithTimeout();
        var vm = await client.VmHrefAsync("node-1").WithTimeout();
        var task = await client.DiskActionTaskAsync(vm, "disk:attach", disk).WithTimeout();

        foreach (var url in new[] { "api/session", "api/org/", (string)vdc.Attribute("href")!, disk, vm, disk + "/attachedVms", (string)task.Attribute("href")!, "api/query?type=disk&format=records" })
        {
            using var response = await client.SendAsync(HttpMethod.Get, url).WithTimeout();
            var text = await response.Content.ReadAsStringAsync().WithTimeout();
            Assert.True(response.StatusCode == HttpStatusCode.OK, url + ": " + text);
            Assert.Contains("xmlns=\"http://www.vmware.com/vcloud/v1.5\"", text, StringComparison.Ordinal);
            var root = XElement.Parse(text);
            Assert.Equal(V, root.Name.Namespace);
            Assert.StartsWith("http://www.vmware.com/vcloud/v1.5 " + simulator.BaseUri + "api/v1.5/schema/master.xsd", (string?)root.Attribute(Xsi + "schemaLocation"), StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty((string?)root.Attribute("href")), url);
            Assert.False(string.IsNullOrEmpty((string?)root.Attribute("type")), url);
        }

        foreach (var entity in new[] { await client.GetAsync("api/session").WithTimeout(), await client.GetAsync((string)vdc.Elements(V + "Link").Single(l => (string?)l.Attribute("rel") == "up").Attribute("href")!).WithTimeout(), vdc, await client.GetAsync(disk).WithTimeout(), await client.GetAsync(vm).WithTimeout() })
        {
            var links = entity.Elements(V + "Link").ToList();
            Assert.True(links.Count > 0, entity.Name.LocalName + " has no Link");
            Assert.All(links, l => Assert.True(l.Attribute("rel") is not null && Uri.IsWellFormedUriString((string?)l.Attribute("href"), UriKind.Absolute), l.ToString()));
        }

        await client.WaitForTaskAsync(task).WithTimeout();
    }

    [Fact]
    public async Task The_vdc_and_vm_carry_the_elements_a_disk_driver_skips_besides_the_ones_it_reads()
    {
        await using var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions()).WithTimeout();
        simulator.SeedDisk("pv-hw", 64);
        await simulator.SeedAttachmentAsync("pv-hw", "node-1").WithTimeout();
        using var client = new RawVCloudClient(simulator);
        (await client.LoginAsync().WithTimeout()).Dispose();

        var vdc = await VdcAsync(client).WithTimeout();
        var adds = vdc.Elements(V + "Link").Where(l => (string?)l.Attribute("rel") == "add").Select(l => (string)l.Attribute("type")!).ToList();
        Assert.True(adds.Count > 1, "one add link only");
        Assert.Contains("application/vnd.vmware.vcloud.diskCreateParams+xml", adds);
        Assert.Equal(
            ["Description", "AllocationModel", "ComputeCapacity", "ResourceEntities", "AvailableNetworks", "Capabilities", "NicQuota", "NetworkQuota", "UsedNetworkCount", "VmQuota", "IsEnabled", "VdcStorageProfiles", "VCpuInMhz2"],
            vdc.Elements().Where(e => e.Name.LocalName != "Link").Select(e => e.Name.LocalName));

        var vm = await client.GetAsync(await client.VmHrefAsync("node-1").WithTimeout()).WithTimeout();
        Assert.NotNull(vm.Element(V + "VCloudExtension")?.Elements().SingleOrDefault(e => e.Name.Namespace == "http://www.vmware.com/vcloud/extension/v1.5"));
        var items = vm.Element(Ovf + "VirtualHardwareSection")!.Elements(Ovf + "Item").ToList();
        string? Value(XElement item, string name) => (string?)item.Element(Rasd + name);
        Assert.Equal(["10", "6", "5", "15", "3", "4", "6", "17", "17"], items.Select(i => Value(i, "ResourceType")));
        Assert.Matches("^00:50:56:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$", Value(items[0], "Address"));
        Assert.Equal(items.Count, items.Select(i => Value(i, "InstanceID")).Distinct(StringComparer.Ordinal).Count());
        var cdrom = items.Single(i => Value(i, "ResourceType") == "15");
        Assert.Equal("3", Value(cdrom, "Parent"));
        Assert.Null(cdrom.Element(Rasd + "HostResource")!.Attribute(V + "capacity"));
        Assert.NotEmpty(vm.Element(Ovf + "VirtualHardwareSection")!.Elements(V + "Link"));
        Assert.NotNull(vm.Element(V + "NetworkConnectionSection"));
    }

    [Fact]
    public async Task Task_errors_carry_major_and_minor_codes_and_a_message_and_aborted_or_canceled_tasks_end_without_their_work()
    {
        var clock = new ManualTimeProvider();
        await using var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions { TimeProvider = clock, TokenLifetime = TimeSpan.FromDays(1), TaskQueuedTime = TimeSpan.Zero, TaskRunTime = TimeSpan.FromSeconds(1) }).WithTimeout();
        simulator.SeedDisk("pv-end", 64);
        using var client = new RawVCloudClient(simulator);
        (await client.LoginAsync().WithTimeout()).Dispose();
        var disk = await client.DiskHrefAsync("pv-end").WithTimeout();
        var vm = await client.VmHrefAsync("node-1").WithTimeout();

        simulator.FailNextTasks("vmAttachDisks", 1, "DISK_ATTACH_FAILED", "[ 9f1e ] Cannot attach disk pv-end: the datastore is not reachable from the host.");
        var failed = await AdvanceUntilAsync(clock, client, (string)(await client.DiskActionTaskAsync(vm, "disk:attach", disk).WithTimeout()).Attribute("href")!, "error", TimeSpan.FromMilliseconds(250)).WithTimeout();
        var error = failed.Element(V + "Error")!;
        Assert.Equal(("500", "DISK_ATTACH_FAILED"), ((string?)error.Attribute("majorErrorCode"), (string?)error.Attribute("minorErrorCode")));
        Assert.Contains("datastore is not reachable", (string?)error.Attribute("message"), StringComparison.Ordinal);
        Assert.NotNull(failed.Attribute("endTime"));
        Assert.DoesNotContain(failed.Elements(V + "Link"), l => (string?)l.Attribute("rel") == "task:cancel");

        foreach (var status in new[] { "aborted", "canceled" })
        {
            simulator.EndNextTasksAs("vmAttachDisks", 1, status);
            var ended = await AdvanceUntilAsync(clock, client, (string)(await client.DiskActionTaskAsync(vm, "disk:attach", disk).WithTimeout()).Attribute("href")!, status, TimeSpan.FromMilliseconds(250)).WithTimeout();
            Assert.Null(ended.Element(V + "Error"));
            Assert.NotNull(ended.Attribute("endTime"));
            Assert.Empty(await AttachedVmNamesAsync(client, disk).WithTimeout());
        }

        // The VM is free again: the next attach runs and succeeds.
        await AdvanceUntilAsync(clock, client, (string)(await client.DiskActionTaskAsync(vm, "disk:attach", disk).WithTimeout()).Attribute("href")!, "success", TimeSpan.FromMilliseconds(250)).WithTimeout();
        Assert.Equal(["node-1"], await AttachedVmNamesAsync(client, disk).WithTimeout());
    }

    private static string PageLink(XElement page, string rel) =>
        PageLinkOrNull(page, rel) ?? throw new Xunit.Sdk.XunitException($"page {(string?)page.Attribute("page")} has no {rel} link");

    private static string? PageLinkOrNull(XElement page, string rel) =>
        (string?)page.Elements(V + "Link").SingleOrDefault(l => (string?)l.Attribute("rel") == rel)?.Attribute("href");
}
