using System.Net;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Simulators.VCloud;
using VolumeDriver.Tests.TestSupport;
using static VolumeDriver.Tests.Simulators.VCloud.RawVCloudClient;

namespace VolumeDriver.Tests.Simulators.VCloud;

/// <summary>
/// The vCD double's shapes and behaviours, driven with raw HTTP (no driver code): what a client built
/// from the API reference must meet. The shapes asserted here are the ones the reference quotes from
/// go-vcloud-director's golden files and types and from pyvcloud (docs: vcloud-etcd.md §1).
/// </summary>
public sealed partial class VCloudDirectorSimulatorTests
{
    private const string ErrorType = "application/vnd.vmware.vcloud.error+xml";
    private const string CreateParamsType = "application/vnd.vmware.vcloud.diskCreateParams+xml";

    [Fact]
    public async Task Versions_need_no_login_and_list_each_version_with_its_deprecation_and_login_url()
    {
        await using var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions()).WithTimeout();
        using var client = new RawVCloudClient(simulator);

        using var response = await client.SendAsync(HttpMethod.Get, "api/versions", accept: "application/*+xml", authenticate: false).WithTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        XNamespace ns = "http://www.vmware.com/vcloud/versions";
        var root = XElement.Parse(await response.Content.ReadAsStringAsync().WithTimeout());
        Assert.Equal(ns + "SupportedVersions", root.Name);
        var infos = root.Elements(ns + "VersionInfo").ToDictionary(i => (string)i.Element(ns + "Version")!, StringComparer.Ordinal);
        Assert.Equal("true", (string?)infos["27.0"].Attribute("deprecated"));
        Assert.Equal("true", (string?)infos["29.0"].Attribute("deprecated"));
        Assert.Equal("false", (string?)infos["30.0"].Attribute("deprecated"));
        Assert.Equal("false", (string?)infos["38.0"].Attribute("deprecated"));
        Assert.Equal(simulator.BaseUri + "api/sessions", (string?)infos["32.0"].Element(ns + "LoginUrl"));
        Assert.Equal(simulator.BaseUri + "cloudapi/1.0.0/sessions", (string?)infos["36.0"].Element(ns + "LoginUrl"));
        Assert.Equal(simulator.BaseUri + "cloudapi/1.0.0/sessions/provider", (string?)infos["36.0"].Element(ns + "ProviderLoginUrl"));
    }

    [Theory]
    [InlineData("29.0", false)]
    [InlineData("32.0", true)]
    [InlineData("36.0", true)]
    public async Task Legacy_login_answers_a_session_with_the_token_header_and_from_30_the_access_token(string version, bool accessToken)
    {
        await using var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions()).WithTimeout();
        using var client = new RawVCloudClient(simulator, version);

        using var response = await client.LoginAsync().WithTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("application/vnd.vmware.vcloud.session+xml", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        Assert.Equal(32, client.Token!.Length);
        Assert.Equal(accessToken, response.Headers.Contains("X-VMWARE-VCLOUD-ACCESS-TOKEN"));
        var session = XElement.Parse(await response.Content.ReadAsStringAsync().WithTimeout());
        Assert.Equal(V + "Session", session.Name);
        Assert.Equal(simulator.Options.Org, (string?)session.Attribute("org"));
        Assert.Equal("k8s", (string?)session.Attribute("user"));
        Assert.StartsWith("urn:vcloud:user:", (string?)session.Attribute("userId"), StringComparison.Ordinal);
        var orgLink = session.Elements(V + "Link").Single(l => (string?)l.Attribute("type") == "application/vnd.vmware.vcloud.org+xml");
        Assert.Equal("down", (string?)orgLink.Attribute("rel"));
        Assert.StartsWith(simulator.BaseUri + "api/org/", (string?)orgLink.Attribute("href"), StringComparison.Ordinal);

        var again = await client.GetAsync("api/session").WithTimeout();
        Assert.Equal(V + "Session", again.Name);
    }

    [Fact]
    public async Task CloudApi_login_from_33_gives_a_bearer_jwt_that_opens_the_xml_session_and_is_refused_below_33()
    {
        await using var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions()).WithTimeout();
        using var client = new RawVCloudClient(simulator);

        using var old = await client.SendAsync(HttpMethod.Post, "cloudapi/1.0.0/sessions", accept: "application/json;version=32.0", authenticate: false, tweak: r => r.Headers.Authorization = Basic("k8s@acme", simulator.Options.Users["k8s"])).WithTimeout();
        Assert.Equal(HttpStatusCode.NotAcceptable, old.StatusCode);

        using var response = await client.SendAsync(HttpMethod.Post, "cloudapi/1.0.0/sessions", accept: "application/json;version=36.0", authenticate: false, tweak: r => r.Headers.Authorization = Basic("k8s@acme", simulator.Options.Users["k8s"])).WithTimeout();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("application/json", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        var jwt = response.Headers.GetValues("X-VMWARE-VCLOUD-ACCESS-TOKEN").Single();
        Assert.Equal(3, jwt.Split('.').Length);
        Assert.True(jwt.Length > 32);

        client.Token = jwt;
        client.Bearer = true;
        var session = await client.GetAsync("api/session").WithTimeout();
        Assert.Equal(V + "Session", session.Name);
        Assert.Equal(0, simulator.MultipleAuthHeaderRequests);
    }

    [Fact]
    public async Task Bad_credentials_and_missing_tokens_answer_401_with_an_error_body()
    {
        await using var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions()).WithTimeout();
        using var client = new RawVCloudClient(simulator);

        using var wrong = await client.LoginAsync(password: "not-the-password").WithTimeout();
        await AssertErrorAsync(wrong, HttpStatusCode.Unauthorized, "UNAUTHORIZED").WithTimeout();

        using var anonymous = await client.SendAsync(HttpMethod.Get, "api/session").WithTimeout();
        await AssertErrorAsync(anonymous, HttpStatusCode.Unauthorized, "UNAUTHORIZED").WithTimeout();

        client.Token = "0123456789abcdef0123456789abcdef";
        using var unknown = await client.SendAsync(HttpMethod.Get, "api/session").WithTimeout();
        await AssertErrorAsync(unknown, HttpStatusCode.Unauthorized, "UNAUTHORIZED").WithTimeout();
    }

    [Fact]
    public async Task A_token_expires_after_its_lifetime_on_the_injected_clock_when_expired_on_demand_and_at_logout()
    {
        var clock = new ManualTimeProvider();
        await using var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions { TimeProvider = clock, TokenLifetime = TimeSpan.FromMinutes(10) }).WithTimeout();
        using var client = new RawVCloudClient(simulator);

        (await client.LoginAsync().WithTimeout()).Dispose();
        await client.GetAsync("api/session").WithTimeout();
        clock.Advance(TimeSpan.FromMinutes(10));
        using (var expired = await client.SendAsync(HttpMethod.Get, "api/session").WithTimeout())
        {
            await AssertErrorAsync(expired, HttpStatusCode.Unauthorized, "UNAUTHORIZED").WithTimeout();
        }

        (await client.LoginAsync().WithTimeout()).Dispose();
        await client.GetAsync("api/session").WithTimeout();
        simulator.ExpireAllTokens();
        using (var expired = await client.SendAsync(HttpMethod.Get, "api/session").WithTimeout())
        {
            await AssertErrorAsync(expired, HttpStatusCode.Unauthorized, "UNAUTHORIZED").WithTimeout();
        }

        (await client.LoginAsync().WithTimeout()).Dispose();
        using (var logout = await client.SendAsync(HttpMethod.Delete, "api/session").WithTimeout())
        {
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }

        using var afterLogout = await client.SendAsync(HttpMethod.Get, "api/session").WithTimeout();
        await AssertErrorAsync(afterLogout, HttpStatusCode.Unauthorized, "UNAUTHORIZED").WithTimeout();
    }

    [Fact]
    public async Task Xml_calls_without_a_supported_version_in_Accept_answer_406_and_any_media_type_with_a_version_is_accepted()
    {
        await using var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions()).WithTimeout();
        using var client = new RawVCloudClient(simulator);
        (await client.LoginAsync().WithTimeout()).Dispose();

        using (var missing = await client.SendAsync(HttpMethod.Get, "api/session", accept: "application/*+xml").WithTimeout())
        {
            await AssertErrorAsync(missing, HttpStatusCode.NotAcceptable, "NOT_ACCEPTABLE").WithTimeout();
        }

        using (var unsupported = await client.SendAsync(HttpMethod.Get, "api/session", accept: "application/*+xml;version=99.0").WithTimeout())
        {
            await AssertErrorAsync(unsupported, HttpStatusCode.NotAcceptable, "NOT_ACCEPTABLE").WithTimeout();
        }

        // go-vcloud-director's query calls send this odd Accept.
        using var odd = await client.SendAsync(HttpMethod.Get, "api/session", accept: "vnd.vmware.vcloud.org+xml;version=36.0").WithTimeout();
        Assert.Equal(HttpStatusCode.OK, odd.StatusCode);
        Assert.Equal("36.0", odd.Content.Headers.ContentType!.Parameters.Single(p => p.Name == "version").Value);
    }

    [Fact]
    public async Task Org_and_vdc_lead_to_the_create_link_the_storage_profiles_and_the_disks_as_resource_entities()
    {
        await using var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions()).WithTimeout();
        simulator.SeedDisk("pv-1", 1024);
        using var client = new RawVCloudClient(simulator);
        (await client.LoginAsync().WithTimeout()).Dispose();

        var vdc = await VdcAsync(client).WithTimeout();

        Assert.Equal(V + "Vdc", vdc.Name);
        Assert.StartsWith("urn:vcloud:vdc:", (string?)vdc.Attribute("id"), StringComparison.Ordinal);
        var add = vdc.Elements(V + "Link").Single(l => (string?)l.Attribute("rel") == "add" && (string?)l.Attribute("type") == CreateParamsType);
        Assert.Equal((string)vdc.Attribute("href")! + "/disk", (string?)add.Attribute("href"));
        var entity = vdc.Element(V + "ResourceEntities")!.Elements(V + "ResourceEntity").Single();
        Assert.Equal("application/vnd.vmware.vcloud.disk+xml", (string?)entity.Attribute("type"));
        Assert.Equal("pv-1", (string?)entity.Attribute("name"));
        Assert.Equal(["T1", "fast"], vdc.Element(V + "VdcStorageProfiles")!.Elements(V + "VdcStorageProfile").Select(p => (string)p.Attribute("name")!));
    }

    [Fact]
    public async Task Disk_query_filters_by_name_and_vdc_as_urn_or_href_decodes_encoded_values_and_pages_with_next_page_links()
    {
        await using var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions()).WithTimeout();
        foreach (var name in new[] { "pv-a", "pv-b", "pv-c", "pv-d", "pv-e", "pv data" })
        {
            simulator.SeedDisk(name, 512);
        }

        using var client = new RawVCloudClient(simulator);
        (await client.LoginAsync().WithTimeout()).Dispose();
        var vdc = await VdcAsync(client).WithTimeout();
        var vdcUrn = (string)vdc.Attribute("id")!;
        var vdcHref = (string)vdc.Attribute("href")!;

        foreach (var vdcValue in new[] { vdcUrn, vdcHref })
        {
            var result = await client.GetAsync("api/query?type=disk&format=records&filter=" + Uri.EscapeDataString($"name==pv-c;vdc=={vdcValue}")).WithTimeout();
            Assert.Equal(V + "QueryResultRecords", result.Name);
            Assert.Equal("1", (string?)result.Attribute("total"));
            var record = result.Elements(V + "DiskRecord").Single();
            Assert.Equal("pv-c", (string?)record.Attribute("name"));
            Assert.Matches("^" + Regex.Escape(simulator.BaseUri + "api/disk/") + "[0-9a-f-]{36}$", (string?)record.Attribute("href"));
            Assert.Equal(vdcHref, (string?)record.Attribute("vdc"));
            Assert.Equal("512", (string?)record.Attribute("sizeMb"));
            Assert.Equal("6", (string?)record.Attribute("busType"));
            Assert.Equal("VirtualSCSI", (string?)record.Attribute("busSubType"));
            Assert.Equal("Paravirtual (SCSI)", (string?)record.Attribute("busTypeDesc"));
            Assert.Equal("T1", (string?)record.Attribute("storageProfileName"));
            Assert.Equal("RESOLVED", (string?)record.Attribute("status"));
            Assert.Equal("false", (string?)record.Attribute("isAttached"));
            Assert.Equal("0", (string?)record.Attribute("attachedVmCount"));
            Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", (string?)record.Attribute("uuid"));
        }

        var otherVdc = await client.GetAsync("api/query?type=disk&format=records&filter=" + Uri.EscapeDataString("name==pv-c;vdc==urn:vcloud:vdc:" + Guid.NewGuid())).WithTimeout();
        Assert.Equal("0", (string?)otherVdc.Attribute("total"));
        Assert.Empty(otherVdc.Elements(V + "DiskRecord"));

        // filterEncoded=true: the value is encoded inside the encoded filter (go-vcloud-director's QueryDisk).
        var encoded = await client.GetAsync("api/query?type=disk&format=records&filterEncoded=true&filter=" + Uri.EscapeDataString("name==" + Uri.EscapeDataString("pv data"))).WithTimeout();
        Assert.Equal("pv data", (string?)encoded.Elements(V + "DiskRecord").Single().Attribute("name"));

        var names = new List<string>();
        var pages = 0;
        string? next = "api/query?type=disk&format=records&pageSize=2&filter=" + Uri.EscapeDataString("name==pv-*");
        while (next is not null)
        {
            var page = await client.GetAsync(next).WithTimeout();
            pages++;
            Assert.Equal("5", (string?)page.Attribute("total"));
            Assert.Equal(pages.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)page.Attribute("page"));
            names.AddRange(page.Elements(V + "DiskRecord").Select(r => (string)r.Attribute("name")!));
            next = (string?)page.Elements(V + "Link").SingleOrDefault(l => (string?)l.Attribute("rel") == "nextPage")?.Attribute("href");
        }

        Assert.Equal(3, pages);
        Assert.Equal(["pv-a", "pv-b", "pv-c", "pv-d", "pv-e"], names);
    }

    [Fact]
    public async Task Vm_query_and_entity_show_power_state_and_the_disk_action_links()
    {
        await using var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions
        {
            Vms = [new SimulatedVm("node-1", "k8s", true), new SimulatedVm("node-2", "k8s", false)],
        }).WithTimeout();
        using var client = new RawVCloudClient(simulator);
        (await client.LoginAsync().WithTimeout()).Dispose();

        var records = await client.GetAsync("api/query?type=vm&format=records&filter=" + Uri.EscapeDataString("isVAppTemplate==false;name==node-2")).WithTimeout();
        var record = records.Elements(V + "VMRecord").Single();
        Assert.Equal("node-2", (string?)record.Attribute("name"));
        Assert.Equal("k8s", (string?)record.Attribute("containerName"));
        Assert.Equal("POWERED_OFF", (string?)record.Attribute("status"));
        Assert.Equal("false", (string?)record.Attribute("isVAppTemplate"));
        var href = (string)record.Attribute("href")!;
        Assert.Matches("^" + Regex.Escape(simulator.BaseUri + "api/vApp/vm-") + "[0-9a-f-]{36}$", href);

        var off = await client.GetAsync(href).WithTimeout();
        Assert.Equal(V + "Vm", off.Name);
        Assert.Equal("8", (string?)off.Attribute("status"));
        Assert.Equal("4", (string?)(await client.GetAsync(await client.VmHrefAsync("node-1").WithTimeout()).WithTimeout()).Attribute("status"));
        foreach (var (rel, action) in new[] { ("disk:attach", "attach"), ("disk:detach", "detach") })
        {
            var link = off.Elements(V + "Link").Single(l => (string?)l.Attribute("rel") == rel);
            Assert.Equal(AttachParamsType, (string?)link.Attribute("type"));
            Assert.Equal(href + "/disk/action/" + action, (string?)link.Attribute("href"));
        }
    }

    [Theory]
    [InlineData("32.0", "size", "1073741824", HttpStatusCode.Created)]
    [InlineData("32.0", "sizeMb", "1024", HttpStatusCode.BadRequest)]
    [InlineData("35.0", "sizeMb", "1024", HttpStatusCode.Created)]
    [InlineData("36.0", "sizeMb", "1024", HttpStatusCode.Created)]
    [InlineData("36.0", "size", "1073741824", HttpStatusCode.BadRequest)]
    public async Task Create_takes_size_in_bytes_below_33_and_sizeMb_from_33_and_answers_an_unresolved_disk_with_its_running_task(string version, string sizeAttribute, string size, HttpStatusCode expected)
    {
        await using var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions()).WithTimeout();
        using var client = new RawVCloudClient(simulator, version);
        (await client.LoginAsync().WithTimeout()).Dispose();
        var vdc = await VdcAsync(client).WithTimeout();

        using var response = await client.SendAsync(HttpMethod.Post, (string)vdc.Attribute("href")! + "/disk", CreateParams("pv-new", sizeAttribute, size, Profile(vdc, "fast")), CreateParamsType).WithTimeout();

        if (expected != HttpStatusCode.Created)
        {
            await AssertErrorAsync(response, expected, "BAD_REQUEST").WithTimeout();
            return;
        }

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.StartsWith("application/vnd.vmware.vcloud.disk+xml", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        var disk = XElement.Parse(await response.Content.ReadAsStringAsync().WithTimeout());
        Assert.Equal("0", (string?)disk.Attribute("status"));
        Assert.Equal(sizeAttribute == "size" ? size : null, (string?)disk.Attribute("size"));
        Assert.Equal(sizeAttribute == "sizeMb" ? size : null, (string?)disk.Attribute("sizeMb"));
        Assert.Equal(double.Parse(version, System.Globalization.CultureInfo.InvariantCulture) >= 36, disk.Attribute("uuid") is not null);
        Assert.Equal("fast", (string?)disk.Element(V + "StorageProfile")?.Attribute("name"));
        var task = disk.Element(V + "Tasks")!.Elements(V + "Task").Single();
        Assert.Contains((string?)task.Attribute("status"), new[] { "queued", "running" });
        Assert.Equal((string?)disk.Attribute("href"), (string?)task.Element(V + "Owner")!.Attribute("href"));

        var done = await client.WaitForTaskAsync(task).WithTimeout();
        Assert.Equal("success", (string?)done.Attribute("status"));
        Assert.Equal("1", (string?)(await client.GetAsync((string)disk.Attribute("href")!).WithTimeout()).Attribute("status"));
    }

    [Fact]
    public async Task Create_checks_bus_and_storage_profile_and_allows_duplicate_names()
    {
        await using var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions()).WithTimeout();
        using var client = new RawVCloudClient(simulator);
        (await client.LoginAsync().WithTimeout()).Dispose();
        var vdc = await VdcAsync(client).WithTimeout();
        var create = (string)vdc.Attribute("href")! + "/disk";

        using (var badBus = await client.SendAsync(HttpMethod.Post, create, CreateParams("pv-x", "sizeMb", "64", Profile(vdc, "T1"), "6", "ahci"), CreateParamsType).WithTimeout())
        {
            await AssertErrorAsync(badBus, HttpStatusCode.BadRequest, "BAD_REQUEST").WithTimeout();
        }

        using (var foreign = await client.SendAsync(HttpMethod.Post, create, CreateParams("pv-x", "sizeMb", "64", simulator.BaseUri + "api/vdcStorageProfile/" + Guid.NewGuid()), CreateParamsType).WithTimeout())
        {
            await AssertErrorAsync(foreign, HttpStatusCode.BadRequest, "BAD_REQUEST").WithTimeout();
        }

        await client.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, create, CreateParams("pv-x", "sizeMb", "64", Profile(vdc, "T1"), "20", "vmware.sata.ahci"), CreateParamsType).WithTimeout();
        await client.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, create, CreateParams("pv-x", "sizeMb", "64", Profile(vdc, "T1")), CreateParamsType).WithTimeout();

        var records = await client.GetAsync("api/query?type=disk&format=records&filter=" + Uri.EscapeDataString("name==pv-x")).WithTimeout();
        Assert.Equal(2, records.Elements(V + "DiskRecord").Count());
    }

    [Fact]
    public async Task A_task_is_queued_then_running_then_succeeds_on_the_injected_clock_and_only_then_shows_its_effect()
    {
        var clock = new ManualTimeProvider();
        await using var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions
        {
            TimeProvider = clock,
            TaskQueuedTime = TimeSpan.FromSeconds(1),
            TaskRunTime = TimeSpan.FromSeconds(5),
            TokenLifetime = TimeSpan.FromDays(1),
        }).WithTimeout();
        simulator.SeedDisk("pv-1", 64);
        using var client = new RawVCloudClient(simulator);
        (await client.LoginAsync().WithTimeout()).Dispose();
        var disk = await client.DiskHrefAsync("pv-1").WithTimeout();
        var vm = await client.VmHrefAsync("node-1").WithTimeout();

        var task = await client.DiskActionTaskAsync(vm, "disk:attach", disk).WithTimeout();

        Assert.Equal(V + "Task", task.Name);
        Assert.Equal("queued", (string?)task.Attribute("status"));
        Assert.Equal(vm, (string?)task.Element(V + "Owner")!.Attribute("href"));
        Assert.Equal("k8s", (string?)task.Element(V + "User")!.Attribute("name"));
        Assert.NotNull(task.Element(V + "Organization"));
        Assert.Contains(task.Elements(V + "Link"), l => (string?)l.Attribute("rel") == "task:cancel");
        var href = (string)task.Attribute("href")!;

        var running = await AdvanceUntilAsync(clock, client, href, "running", TimeSpan.FromMilliseconds(250)).WithTimeout();
        Assert.Null(running.Attribute("endTime"));
        Assert.Empty(await AttachedVmNamesAsync(client, disk).WithTimeout());

        var success = await AdvanceUntilAsync(clock, client, href, "success", TimeSpan.FromSeconds(1)).WithTimeout();
        Assert.Equal("100", (string?)success.Element(V + "Progress"));
        Assert.NotNull(success.Attribute("endTime"));
        Assert.DoesNotContain(success.Elements(V + "Link"), l => (string?)l.Attribute("rel") == "task:cancel");
        Assert.Equal(["node-1"], await AttachedVmNamesAsync(client, disk).WithTimeout());
    }

    [Fact]
    public async Task A_vm_running_a_task_answers_BUSY_ENTITY_to_another_attach_or_detach()
    {
        var clock = new ManualTimeProvider();
        await using var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions { TimeProvider = clock, TokenLifetime = TimeSpan.FromDays(1) }).WithTimeout();
        simulator.SeedDisk("pv-1", 64);
        simulator.SeedDisk("pv-2", 64);
        await simulator.SeedAttachmentAsync("pv-2", "node-1").WithTimeout();
        using var client = new RawVCloudClient(simulator);
        (await client.LoginAsync().WithTimeout()).Dispose();
        var vm = await client.VmHrefAsync("node-1").WithTimeout();
        var disk1 = await client.DiskHrefAsync("pv-1").WithTimeout();
        var disk2 = await client.DiskHrefAsync("pv-2").WithTimeout();

        var task = await client.DiskActionTaskAsync(vm, "disk:attach", disk1).WithTimeout();

        using (var attach = await client.DiskActionAsync(vm, "disk:attach", disk1).WithTimeout())
        {
            await AssertErrorAsync(attach, HttpStatusCode.BadRequest, "BUSY_ENTITY").WithTimeout();
        }

        using (var detach = await client.DiskActionAsync(vm, "disk:detach", disk2).WithTimeout())
        {
            await AssertErrorAsync(detach, HttpStatusCode.BadRequest, "BUSY_ENTITY").WithTimeout();
        }

        await AdvanceUntilAsync(clock, client, (string)task.Attribute("href")!, "success", TimeSpan.FromMilliseconds(100)).WithTimeout();
        var detached = await client.DiskActionTaskAsync(vm, "disk:detach", disk2).WithTimeout();
        Assert.Equal("queued", (string?)detached.Attribute("status"));
    }

    [Fact]
    public async Task A_non_shareable_disk_attached_elsewhere_is_refused_at_once_by_default()
    {
        await using var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions()).WithTimeout();
        simulator.SeedDisk("pv-1", 64);
        simulator.SeedDisk("pv-shared", 64, shareable: true);
        await simulator.SeedAttachmentAsync("pv-1", "node-1").WithTimeout();
        await simulator.SeedAttachmentAsync("pv-shared", "node-1").WithTimeout();
        using var client = new RawVCloudClient(simulator);
        (await client.LoginAsync().WithTimeout()).Dispose();
        var node2 = await client.VmHrefAsync("node-2").WithTimeout();

        using (var refused = await client.DiskActionAsync(node2, "disk:attach", await client.DiskHrefAsync("pv-1").WithTimeout()).WithTimeout())
        {
            await AssertErrorAsync(refused, HttpStatusCode.BadRequest, "BAD_REQUEST").WithTimeout();
        }

        var shared = await client.DiskHrefAsync("pv-shared").WithTimeout();
        var task = await client.WaitForTaskAsync(await client.DiskActionTaskAsync(node2, "disk:attach", shared).WithTimeout()).WithTimeout();
        Assert.Equal("success", (string?)task.Attribute("status"));
        Assert.Equal(["node-1", "node-2"], (await AttachedVmNamesAsync(client, shared).WithTimeout()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_non_shareable_disk_attached_elsewhere_can_instead_fail_in_its_task()
    {
        await using var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions { DoubleAttach = DoubleAttachBehaviour.TaskError }).WithTimeout();
        simulator.SeedDisk("pv-1", 64);
        await simulator.SeedAttachmentAsync("pv-1", "node-1").WithTimeout();
        using var client = new RawVCloudClient(simulator);
        (await client.LoginAsync().WithTimeout()).Dispose();
        var disk = await client.DiskHrefAsync("pv-1").WithTimeout();

        var task = await client.WaitForTaskAsync(await client.DiskActionTaskAsync(await client.VmHrefAsync("node-2").WithTimeout(), "disk:attach", disk).WithTimeout()).WithTimeout();

        Assert.Equal("error", (string?)task.Attribute("status"));
        var error = task.Element(V + "Error")!;
        Assert.Equal("500", (string?)error.Attribute("majorErrorCode"));
        Assert.Contains("not shareable", (string?)error.Attribute("message"), StringComparison.Ordinal);
        Assert.Equal(["node-1"], await AttachedVmNamesAsync(client, disk).WithTimeout());
    }

    [Fact]
    public async Task Entities_that_do_not_exist_answer_403_ACCESS_TO_RESOURCE_IS_FORBIDDEN_not_404()
    {
        await using var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions()).WithTimeout();
        using var client = new RawVCloudClient(simulator);
        (await client.LoginAsync().WithTimeout()).Dispose();
        var unknown = Guid.NewGuid().ToString();

        foreach (var path in new[] { "api/disk/" + unknown, "api/disk/" + unknown + "/attachedVms", "api/vApp/vm-" + unknown, "api/task/" + unknown, "api/vdc/" + unknown })
        {
            using var response = await client.SendAsync(HttpMethod.Get, path).WithTimeout();
            await AssertErrorAsync(response, HttpStatusCode.Forbidden, "ACCESS_TO_RESOURCE_IS_FORBIDDEN").WithTimeout();
        }

        using var attach = await client.DiskActionAsync(await client.VmHrefAsync("node-1").WithTimeout(), "disk:attach", simulator.BaseUri + "api/disk/" + unknown).WithTimeout();
        await AssertErrorAsync(attach, HttpStatusCode.Forbidden, "ACCESS_TO_RESOURCE_IS_FORBIDDEN").WithTimeout();
    }

    [Fact]
    public async Task Drain_race_a_detached_vm_leaves_attachedVms_when_the_task_starts_and_the_disk_is_busy_until_it_ends()
    {
        var clock = new ManualTimeProvider();
        await using var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions { TimeProvider = clock, TokenLifetime = TimeSpan.FromDays(1) }).WithTimeout();
        simulator.SeedDisk("pv-1", 64);
        await simulator.SeedAttachmentAsync("pv-1", "node-1").WithTimeout();
        using var client = new RawVCloudClient(simulator);
        (await client.LoginAsync().WithTimeout()).Dispose();
        var disk = await client.DiskHrefAsync("pv-1").WithTimeout();
        var node1 = await client.VmHrefAsync("node-1").WithTimeout();
        var node2 = await client.VmHrefAsync("node-2").WithTimeout();

        var detach = await client.DiskActionTaskAsync(node1, "disk:detach", disk).WithTimeout();

        Assert.Equal("queued", (string?)(await client.GetAsync((string)detach.Attribute("href")!).WithTimeout()).Attribute("status"));
        Assert.Empty(await AttachedVmNamesAsync(client, disk).WithTimeout());
        var record = (await client.GetAsync("api/query?type=disk&format=records&filter=name==pv-1").WithTimeout()).Elements(V + "DiskRecord").Single();
        Assert.Equal("false", (string?)record.Attribute("isAttached"));
        Assert.Equal("0", (string?)record.Attribute("attachedVmCount"));
        Assert.NotEqual(string.Empty, (string?)record.Attribute("task"));
        Assert.Contains(await DiskHrefsOnVmAsync(client, node1).WithTimeout(), h => h == disk);
        using (var early = await client.DiskActionAsync(node2, "disk:attach", disk).WithTimeout())
        {
            await AssertErrorAsync(early, HttpStatusCode.BadRequest, "BUSY_ENTITY").WithTimeout();
        }

        await AdvanceUntilAsync(clock, client, (string)detach.Attribute("href")!, "success", TimeSpan.FromMilliseconds(100)).WithTimeout();
        Assert.Empty(await DiskHrefsOnVmAsync(client, node1).WithTimeout());
        var attach = await client.DiskActionTaskAsync(node2, "disk:attach", disk).WithTimeout();
        await AdvanceUntilAsync(clock, client, (string)attach.Attribute("href")!, "success", TimeSpan.FromMilliseconds(100)).WithTimeout();
        Assert.Equal(["node-2"], await AttachedVmNamesAsync(client, disk).WithTimeout());
    }

    [Fact]
    public async Task The_vm_hardware_section_names_the_os_disk_and_each_attached_independent_disk_with_its_bus_and_unit()
    {
        await using var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions()).WithTimeout();
        simulator.SeedDisk("pv-1", 64);
        simulator.SeedDisk("pv-2", 128, storageProfile: "fast");
        using var client = new RawVCloudClient(simulator);
        (await client.LoginAsync().WithTimeout()).Dispose();
        var vm = await client.VmHrefAsync("node-1").WithTimeout();
        var disk1 = await client.DiskHrefAsync("pv-1").WithTimeout();
        var disk2 = await client.DiskHrefAsync("pv-2").WithTimeout();

        await client.WaitForTaskAsync(await client.DiskActionTaskAsync(vm, "disk:attach", disk1).WithTimeout()).WithTimeout();
        await client.WaitForTaskAsync(await client.DiskActionTaskAsync(vm, "disk:attach", disk2).WithTimeout()).WithTimeout();

        var items = (await client.GetAsync(vm).WithTimeout()).Element(Ovf + "VirtualHardwareSection")!.Elements(Ovf + "Item").ToList();
        var controllers = items.Where(i => (string?)i.Element(Rasd + "ResourceType") == "6").ToDictionary(i => (string)i.Element(Rasd + "InstanceID")!, i => (string)i.Element(Rasd + "Address")!, StringComparer.Ordinal);
        var allDisks = items.Where(i => (string?)i.Element(Rasd + "ResourceType") == "17").ToList();
        Assert.Equal(3, allDisks.Count);

        // The VM's own disk: on bus 0, a capacity, and no vcloud:disk (it is not an independent disk).
        var os = Assert.Single(allDisks, d => d.Element(Rasd + "HostResource")!.Attribute(V + "disk") is null);
        Assert.Equal(("0", "0"), (controllers[(string)os.Element(Rasd + "Parent")!], (string)os.Element(Rasd + "AddressOnParent")!));
        Assert.Equal("16384", (string?)os.Element(Rasd + "HostResource")!.Attribute(V + "capacity"));
        var disks = allDisks.Where(d => d != os).ToList();
        var slots = disks.Select(d =>
        {
            var host = d.Element(Rasd + "HostResource")!;
            Assert.Equal("6", (string?)host.Attribute(V + "busType"));
            Assert.Equal("VirtualSCSI", (string?)host.Attribute(V + "busSubType"));
            return (Href: (string)host.Attribute(V + "disk")!, Bus: controllers[(string)d.Element(Rasd + "Parent")!], Unit: (string)d.Element(Rasd + "AddressOnParent")!, Capacity: (string)host.Attribute(V + "capacity")!);
        }).OrderBy(s => s.Unit, StringComparer.Ordinal).ToList();
        Assert.Equal((disk1, "1", "0", "64"), slots[0]);
        Assert.Equal((disk2, "1", "1", "128"), slots[1]);
    }

    [Fact]
    public async Task Resize_needs_the_name_and_delete_refuses_an_attached_disk()
    {
        await using var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions()).WithTimeout();
        simulator.SeedDisk("pv-1", 64);
        await simulator.SeedAttachmentAsync("pv-1", "node-1").WithTimeout();
        using var client = new RawVCloudClient(simulator);
        (await client.LoginAsync().WithTimeout()).Dispose();
        var disk = await client.DiskHrefAsync("pv-1").WithTimeout();
        const string DiskType = "application/vnd.vmware.vcloud.disk+xml";

        using (var unnamed = await client.SendAsync(HttpMethod.Put, disk, new XElement(V + "Disk", new XAttribute("sizeMb", "128")), DiskType).WithTimeout())
        {
            await AssertErrorAsync(unnamed, HttpStatusCode.BadRequest, "BAD_REQUEST").WithTimeout();
        }

        using (var attached = await client.SendAsync(HttpMethod.Delete, disk).WithTimeout())
        {
            await AssertErrorAsync(attached, HttpStatusCode.BadRequest, "BAD_REQUEST").WithTimeout();
        }

        await client.WaitForTaskAsync(await client.DiskActionTaskAsync(await client.VmHrefAsync("node-1").WithTimeout(), "disk:detach", disk).WithTimeout()).WithTimeout();
        var resize = await client.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Put, disk, new XElement(V + "Disk", new XAttribute("name", "pv-1"), new XAttribute("sizeMb", "128")), DiskType).WithTimeout();
        Assert.Equal("success", (string?)(await client.WaitForTaskAsync(resize).WithTimeout()).Attribute("status"));
        Assert.Equal("128", (string?)(await client.GetAsync(disk).WithTimeout()).Attribute("sizeMb"));

        var delete = await client.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Delete, disk).WithTimeout();
        Assert.Equal("success", (string?)(await client.WaitForTaskAsync(delete).WithTimeout()).Attribute("status"));
        using var gone = await client.SendAsync(HttpMethod.Get, disk).WithTimeout();
        await AssertErrorAsync(gone, HttpStatusCode.Forbidden, "ACCESS_TO_RESOURCE_IS_FORBIDDEN").WithTimeout();
    }

    [Fact]
    public async Task Requests_are_counted_per_route_template_and_requests_with_two_auth_headers_are_counted_apart()
    {
        await using var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions()).WithTimeout();
        simulator.SeedDisk("pv-1", 64);
        using var client = new RawVCloudClient(simulator);
        (await client.LoginAsync().WithTimeout()).Dispose();
        var disk = await client.DiskHrefAsync("pv-1").WithTimeout();
        simulator.Requests.Reset();

        await client.GetAsync(disk).WithTimeout();
        await client.GetAsync(disk).WithTimeout();
        await client.GetAsync(disk + "/attachedVms").WithTimeout();

        var counts = simulator.Requests.Snapshot();
        Assert.Equal(2, counts["GET /api/disk/{id}"]);
        Assert.Equal(1, counts["GET /api/disk/{id}/attachedVms"]);
        Assert.Equal(3, simulator.Requests.Total);
        Assert.Equal(0, simulator.MultipleAuthHeaderRequests);

        using var both = await client.SendAsync(HttpMethod.Get, disk, tweak: r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer " + client.Token)).WithTimeout();
        Assert.Equal(1, simulator.MultipleAuthHeaderRequests);
    }

    [Fact]
    public async Task Injected_request_faults_task_failures_outages_and_latency_apply_as_told()
    {
        var clock = new ManualTimeProvider();
        await using var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions { TimeProvider = clock, TokenLifetime = TimeSpan.FromDays(1), TaskQueuedTime = TimeSpan.Zero, TaskRunTime = TimeSpan.FromSeconds(1) }).WithTimeout();
        simulator.SeedDisk("pv-1", 64);
        using var client = new RawVCloudClient(simulator);
        (await client.LoginAsync().WithTimeout()).Dispose();
        var disk = await client.DiskHrefAsync("pv-1").WithTimeout();

        simulator.FailNext("GET", "^/api/disk/[0-9a-f-]+$", 2, HttpStatusCode.InternalServerError, "INTERNAL_SERVER_ERROR");
        for (var i = 0; i < 2; i++)
        {
            using var failed = await client.SendAsync(HttpMethod.Get, disk).WithTimeout();
            await AssertErrorAsync(failed, HttpStatusCode.InternalServerError, "INTERNAL_SERVER_ERROR").WithTimeout();
        }

        await client.GetAsync(disk).WithTimeout();

        simulator.FailNextTasks("vmAttachDisks", 1);
        var vm = await client.VmHrefAsync("node-1").WithTimeout();
        var failedTask = await AdvanceUntilAsync(clock, client, (string)(await client.DiskActionTaskAsync(vm, "disk:attach", disk).WithTimeout()).Attribute("href")!, "error", TimeSpan.FromMilliseconds(250)).WithTimeout();
        Assert.NotNull(failedTask.Element(V + "Error"));
        Assert.Empty(await AttachedVmNamesAsync(client, disk).WithTimeout());
        await AdvanceUntilAsync(clock, client, (string)(await client.DiskActionTaskAsync(vm, "disk:attach", disk).WithTimeout()).Attribute("href")!, "success", TimeSpan.FromMilliseconds(250)).WithTimeout();

        simulator.StopAnswering();
        using (var down = await client.SendAsync(HttpMethod.Get, "api/versions", authenticate: false).WithTimeout())
        {
            await AssertErrorAsync(down, HttpStatusCode.ServiceUnavailable, "SERVICE_UNAVAILABLE").WithTimeout();
        }

        simulator.ResumeAnswering();
        await client.GetAsync("api/versions").WithTimeout();

        simulator.StopAnswering(TimeSpan.FromSeconds(30), HttpStatusCode.BadGateway);
        using (var down = await client.SendAsync(HttpMethod.Get, "api/session").WithTimeout())
        {
            Assert.Equal(HttpStatusCode.BadGateway, down.StatusCode);
        }

        clock.Advance(TimeSpan.FromSeconds(30));
        await client.GetAsync("api/session").WithTimeout();
    }

    [Fact]
    public async Task Injected_latency_delays_every_answer()
    {
        // On the double's own clock: the answer waits for exactly the latency, whatever the machine's load.
        var time = new ManualTimeProvider();
        using var clock = new VolumeDriver.Tests.Node.SignalingTimeProvider(time);
        await using var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions { TimeProvider = clock, RequestLatency = TimeSpan.FromMilliseconds(150) }).WithTimeout();
        using var client = new RawVCloudClient(simulator);

        await AnswersAfterAsync(TimeSpan.FromMilliseconds(150)).WithTimeout();
        simulator.SetLatency(TimeSpan.FromMilliseconds(400));
        await AnswersAfterAsync(TimeSpan.FromMilliseconds(400)).WithTimeout();

        async Task AnswersAfterAsync(TimeSpan latency)
        {
            var answer = client.SendAsync(HttpMethod.Get, "api/versions", authenticate: false);
            await Task.WhenAny(answer, clock.WaitForTimerAsync(CancellationToken.None)).WithTimeout();
            time.Advance(latency - TimeSpan.FromMilliseconds(1));
            Assert.False(answer.IsCompleted, $"answered before its {latency.TotalMilliseconds} ms latency");
            time.Advance(TimeSpan.FromMilliseconds(1));
            (await answer.WithTimeout()).Dispose();
        }
    }

    [Fact]
    public async Task Writes_to_an_emulated_nodes_scsi_host_scan_file_are_recorded()
    {
        var root = Directory.CreateTempSubdirectory("vd-vcd-scan-").FullName;
        try
        {
            await using var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions { EmulatedNodes = new Dictionary<string, string> { ["node-1"] = root } }).WithTimeout();
            var scan = Path.Join(root, "sys/class/scsi_host/host0/scan");
            Assert.True(File.Exists(scan));
            Assert.Empty(simulator.ScsiRescansOf("node-1"));

            await File.WriteAllTextAsync(scan, "- - -").WithTimeout();
            Assert.Equal(["- - -"], simulator.ScsiRescansOf("node-1"));
            Assert.Equal("- - -", await File.ReadAllTextAsync(scan).WithTimeout());

            await File.WriteAllTextAsync(scan, "0 0 1").WithTimeout();
            Assert.Equal(["- - -", "0 0 1"], simulator.ScsiRescansOf("node-1"));
            Assert.Throws<ArgumentException>(() => simulator.ScsiRescansOf("node-2"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [LinuxRootFact("losetup", "partx", "mkfs.ext4", "mount", "umount")]
    public async Task Node_emulation_gives_an_attached_disk_a_real_block_device_behind_udev_style_links_and_fails_a_detach_while_mounted()
    {
        var root = Directory.CreateTempSubdirectory("vd-vcd-node-").FullName;
        var mountPoint = Path.Join(root, "mnt");
        Directory.CreateDirectory(mountPoint);
        var runner = new VolumeDriver.Host.ProcessRunner(TimeProvider.System);
        try
        {
            await using var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions { EmulatedNodes = new Dictionary<string, string> { ["node-1"] = Path.Join(root, "node-1") } }).WithTimeout();
            simulator.SeedDisk("pv-1", 64);
            using var client = new RawVCloudClient(simulator);
            (await client.LoginAsync().WithTimeout()).Dispose();
            var disk = await client.DiskHrefAsync("pv-1").WithTimeout();
            var vm = await client.VmHrefAsync("node-1").WithTimeout();
            var uuid = (string)(await client.GetAsync(disk).WithTimeout()).Attribute("uuid")!;
            var hex = uuid.Replace("-", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
            var byId = Path.Join(root, "node-1", "dev/disk/by-id");

            Assert.Equal("success", (string?)(await client.WaitForTaskAsync(await client.DiskActionTaskAsync(vm, "disk:attach", disk).WithTimeout()).WithTimeout()).Attribute("status"));

            var device = new FileInfo(Path.Join(byId, "wwn-0x" + hex)).LinkTarget;
            Assert.NotNull(device);
            Assert.Matches("^/dev/loop[0-9]+$", device);
            Assert.Equal(device, new FileInfo(Path.Join(byId, "scsi-3" + hex)).LinkTarget);
            var sysfs = "/sys/class/block/" + Path.GetFileName(device);
            Assert.Equal(simulator.BackingFileOf("pv-1"), File.ReadAllText(Path.Join(sysfs, "loop/backing_file")).Trim());
            Assert.Equal(64L * 1024 * 1024, long.Parse(File.ReadAllText(Path.Join(sysfs, "size")).Trim(), System.Globalization.CultureInfo.InvariantCulture) * 512);

            Assert.Equal(0, (await runner.RunAsync("mkfs.ext4", ["-q", device], TimeSpan.FromSeconds(60), CancellationToken.None).WithTimeout()).ExitCode);
            Assert.Equal(0, (await runner.RunAsync("mount", [device, mountPoint], TimeSpan.FromSeconds(60), CancellationToken.None).WithTimeout()).ExitCode);
            try
            {
                var refused = await client.WaitForTaskAsync(await client.DiskActionTaskAsync(vm, "disk:detach", disk).WithTimeout()).WithTimeout();
                Assert.Equal("error", (string?)refused.Attribute("status"));
                Assert.Contains("mounted", (string?)refused.Element(V + "Error")!.Attribute("message"), StringComparison.Ordinal);
                Assert.Equal(["node-1"], await AttachedVmNamesAsync(client, disk).WithTimeout());
                Assert.True(File.Exists(Path.Join(sysfs, "loop/backing_file")));
            }
            finally
            {
                await runner.RunAsync("umount", [mountPoint], TimeSpan.FromSeconds(60), CancellationToken.None).WithTimeout();
            }

            Assert.Equal("success", (string?)(await client.WaitForTaskAsync(await client.DiskActionTaskAsync(vm, "disk:detach", disk).WithTimeout()).WithTimeout()).Attribute("status"));
            Assert.Null(new FileInfo(Path.Join(byId, "wwn-0x" + hex)).LinkTarget);
            Assert.Null(new FileInfo(Path.Join(byId, "scsi-3" + hex)).LinkTarget);
            Assert.False(File.Exists(Path.Join(sysfs, "loop/backing_file")) && File.ReadAllText(Path.Join(sysfs, "loop/backing_file")).Trim() == simulator.BackingFileOf("pv-1"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string minorErrorCode)
    {
        var text = await response.Content.ReadAsStringAsync().WithTimeout();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal(ErrorType, response.Content.Headers.ContentType?.MediaType);
        var error = XElement.Parse(text);
        Assert.Equal(V + "Error", error.Name);
        Assert.Equal(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)error.Attribute("majorErrorCode"));
        Assert.Equal(minorErrorCode, (string?)error.Attribute("minorErrorCode"));
        Assert.False(string.IsNullOrWhiteSpace((string?)error.Attribute("message")));
    }

    /// <summary>Session → Org → Vdc by their links, as pyvcloud's get_org/get_vdc walk them.</summary>
    private static async Task<XElement> VdcAsync(RawVCloudClient client)
    {
        var session = await client.GetAsync("api/session").WithTimeout();
        var org = await client.GetAsync((string)session.Elements(V + "Link").Single(l => (string?)l.Attribute("type") == "application/vnd.vmware.vcloud.org+xml").Attribute("href")!).WithTimeout();
        return await client.GetAsync((string)org.Elements(V + "Link").Single(l => (string?)l.Attribute("type") == "application/vnd.vmware.vcloud.vdc+xml").Attribute("href")!).WithTimeout();
    }

    private static string Profile(XElement vdc, string name) =>
        (string)vdc.Element(V + "VdcStorageProfiles")!.Elements(V + "VdcStorageProfile").Single(p => (string?)p.Attribute("name") == name).Attribute("href")!;

    private static XElement CreateParams(string name, string sizeAttribute, string size, string profileHref, string busType = "6", string busSubType = "VirtualSCSI") => new(
        V + "DiskCreateParams",
        new XElement(
            V + "Disk",
            new XAttribute("name", name),
            new XAttribute(sizeAttribute, size),
            new XAttribute("busType", busType),
            new XAttribute("busSubType", busSubType),
            new XElement(V + "Description", "test"),
            new XElement(V + "StorageProfile", new XAttribute("href", profileHref), new XAttribute("type", "application/vnd.vmware.vcloud.vdcStorageProfile+xml"))));

    private static async Task<List<string>> AttachedVmNamesAsync(RawVCloudClient client, string diskHref)
    {
        var vms = await client.GetAsync(diskHref + "/attachedVms").WithTimeout();
        Assert.Equal(V + "Vms", vms.Name);
        return vms.Elements(V + "VmReference").Select(r => (string)r.Attribute("name")!).ToList();
    }

    private static async Task<List<string>> DiskHrefsOnVmAsync(RawVCloudClient client, string vmHref) =>
        (await client.GetAsync(vmHref).WithTimeout()).Descendants(Rasd + "HostResource").Select(h => (string?)h.Attribute(V + "disk")).OfType<string>().ToList();

    /// <summary>Moves the injected clock by <paramref name="step"/> until the task shows <paramref name="status"/> (real-time limit 20 s).</summary>
    private static async Task<XElement> AdvanceUntilAsync(ManualTimeProvider clock, RawVCloudClient client, string taskHref, string status, TimeSpan step)
    {
        var limit = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(20);
        while (true)
        {
            var task = await client.GetAsync(taskHref).WithTimeout();
            if ((string?)task.Attribute("status") == status)
            {
                return task;
            }

            Assert.True(TimeProvider.System.GetUtcNow() < limit, $"task {taskHref} is {(string?)task.Attribute("status")}, never {status}");
            clock.Advance(step);
            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System);
        }
    }
}
