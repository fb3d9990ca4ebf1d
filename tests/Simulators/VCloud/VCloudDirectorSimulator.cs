using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;

namespace Simulators.VCloud;

/// <summary>
/// A VMware Cloud Director API double on 127.0.0.1 over HTTPS, for the independent-disk flow:
/// versions, both logins, session, org, VDC, disks (create, get, resize, delete, attachedVms), VMs with
/// their disk actions, tasks that move queued → running → success/error over time, and the query
/// service for disks and VMs. It behaves as vCD does where it matters to a driver: BUSY_ENTITY while
/// a VM runs a task, 403 for entities that do not exist, 401 for expired tokens, 406 without a
/// version, and the drain race (a detached VM leaves attachedVms when the detach task starts, not when
/// it ends). It counts requests and injects latency and faults on demand.
/// In the drain race's window (the VM already gone from attachedVms and the query's isAttached, the
/// detach task still running) an attach of that disk elsewhere answers 400 BUSY_ENTITY on the disk:
/// the Python driver's README reports only that such an attach "sometimes" fails ("Could not attach
/// volume"), so the double picks the immediate, retryable refusal clients already handle.
/// All time (token expiry, task durations, latency, outage windows) runs on the options' TimeProvider.
/// </summary>
public sealed partial class VCloudDirectorSimulator : IAsyncDisposable
{
    private const string DiskType = "application/vnd.vmware.vcloud.disk+xml";
    private const string VmType = "application/vnd.vmware.vcloud.vm+xml";

    private readonly Lock _lock = new();
    private readonly VCloudSimulatorOptions _options;
    private readonly SimulatorHost _host;
    private readonly VCloudXmlWriter _xml;
    private readonly LoopNodeEmulator _emulator;
    private readonly string _orgId;
    private readonly string _vdcId;
    private readonly Dictionary<string, string> _profileIds;
    private readonly Dictionary<string, SimDisk> _disks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SimVmState> _vms = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SimTask> _tasks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SimToken> _tokens = new(StringComparer.Ordinal);
    private readonly List<InjectedFault> _faults = [];
    private readonly Dictionary<string, (int Count, TaskEnding Ending)> _taskFailures = new(StringComparer.Ordinal);
    private readonly List<Task> _running = [];
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<string, ScanRecorder> _scanRecorders = new(StringComparer.Ordinal);
    private TimeSpan _latency;
    private Outage? _outage;
    private TimeSpan _taskQueuedTime;
    private TimeSpan _taskRunTime;
    private int _multipleAuthHeaderRequests;

    private VCloudDirectorSimulator(VCloudSimulatorOptions options, SimulatorHost host)
    {
        _options = options;
        _host = host;
        _time = options.TimeProvider;
        _orgId = options.OrgId ?? Guid.NewGuid().ToString();
        _vdcId = options.VdcId ?? Guid.NewGuid().ToString();
        _latency = options.RequestLatency;
        BaseUri = host.HttpsUri;
        _xml = new VCloudXmlWriter(host.HttpsUri.ToString());
        _emulator = new LoopNodeEmulator(Path.Join(options.StateDirectory, "disks"));
        _profileIds = options.StorageProfiles.ToDictionary(p => p, _ => Guid.NewGuid().ToString(), StringComparer.Ordinal);
        _taskQueuedTime = options.TaskQueuedTime;
        _taskRunTime = options.TaskRunTime;
        foreach (var vm in options.Vms)
        {
            var id = Guid.NewGuid().ToString();
            _vms[id] = new SimVmState { Id = id, Name = vm.Name, VApp = vm.VApp, VAppId = DeterministicId("vapp:" + vm.VApp), PoweredOn = vm.PoweredOn };
        }
    }

    /// <summary>https://127.0.0.1:PORT/ — what the driver's vcloud.host is set to.</summary>
    public Uri BaseUri { get; }

    /// <summary>The CA that signed the server's certificate, as PEM: the driver's vcloud.ca_cert.</summary>
    public string CaCertificatePemPath => _host.Ca.CaPemPath;

    public RequestCounter Requests { get; } = new();

    public VCloudSimulatorOptions Options => _options;

    /// <summary>Requests that carried more than one of the auth headers (a fidelity check: it must stay 0).</summary>
    public int MultipleAuthHeaderRequests => Volatile.Read(ref _multipleAuthHeaderRequests);

    public static async Task<VCloudDirectorSimulator> StartAsync(VCloudSimulatorOptions options, int port = 0)
    {
        var host = await SimulatorHost.StartAsync(options.StateDirectory, port, withPlainHttp: false);
        var simulator = new VCloudDirectorSimulator(options, host);
        foreach (var (vm, root) in options.EmulatedNodes)
        {
            // The guest's SCSI host exists before any disk is attached: a driver may rescan first.
            simulator._scanRecorders[vm] = new ScanRecorder(ScanPath(root));
            EmulateScsiDevice(root, string.Create(CultureInfo.InvariantCulture, $"{GuestHostOfBus0}:0:0:0"), "sda", VCloudXmlWriter.OsDiskMb);
        }

        host.Serve(simulator.HandleAsync);
        return simulator;
    }

    /// <summary>
    /// What was written to an emulated node's <c>sys/class/scsi_host/host0/scan</c> (a plain file there),
    /// one entry per write seen: proof that the driver asked the guest to rescan its SCSI buses.
    /// </summary>
    public IReadOnlyList<string> ScsiRescansOf(string vmName)
    {
        lock (_lock)
        {
            return _scanRecorders.TryGetValue(vmName, out var recorder) ? recorder.Writes : throw new ArgumentException($"{vmName} is not an emulated node", nameof(vmName));
        }
    }

    private static string ScanPath(string emulationRoot) => Path.Join(emulationRoot, "sys/class/scsi_host/host0/scan");

    // ---- control surface for tests ----

    /// <summary>Every request waits this long first (0 by default).</summary>
    public void SetLatency(TimeSpan latency)
    {
        lock (_lock)
        {
            _latency = latency;
        }
    }

    /// <summary>How long new tasks stay queued and then running.</summary>
    public void SetTaskDurations(TimeSpan queued, TimeSpan running)
    {
        lock (_lock)
        {
            _taskQueuedTime = queued;
            _taskRunTime = running;
        }
    }

    /// <summary>The next <paramref name="count"/> requests matching method and path pattern answer an Error.</summary>
    public void FailNext(string method, string pathPattern, int count, HttpStatusCode status, string minorErrorCode, string message = "Injected fault.")
    {
        lock (_lock)
        {
            _faults.Add(new InjectedFault(method, new Regex(pathPattern, RegexOptions.CultureInvariant), count, status, minorErrorCode, message));
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> tasks of this operation (vdcCreateDisk, vmAttachDisks,
    /// vmDetachDisks...) end in error, with an Error element carrying this minor code and message.
    /// </summary>
    public void FailNextTasks(string operationName, int count, string minorErrorCode = "INTERNAL_SERVER_ERROR", string message = "[ 5c3b ] Unable to perform this action. Contact your cloud administrator.") =>
        EndNextTasks(operationName, count, new TaskEnding("error", minorErrorCode, message));

    /// <summary>
    /// The next <paramref name="count"/> tasks of this operation end as <paramref name="status"/>
    /// without doing their work: "aborted" (an administrator or a cell restart ended it) or
    /// "canceled" (someone cancelled it), the two other end states of TaskType besides success and error.
    /// </summary>
    public void EndNextTasksAs(string operationName, int count, string status)
    {
        if (status is not ("aborted" or "canceled"))
        {
            throw new ArgumentException($"{status} is not an end state other than error", nameof(status));
        }

        EndNextTasks(operationName, count, new TaskEnding(status, null, null));
    }

    private void EndNextTasks(string operationName, int count, TaskEnding ending)
    {
        lock (_lock)
        {
            _taskFailures[operationName] = (count, ending);
        }
    }

    /// <summary>
    /// Every request (versions and logins included) answers <paramref name="status"/> until
    /// <see cref="ResumeAnswering"/>, or for <paramref name="window"/> on the injected clock when given:
    /// a cell restarting or a load balancer with no healthy cell. Tasks keep running meanwhile.
    /// </summary>
    public void StopAnswering(TimeSpan? window = null, HttpStatusCode status = HttpStatusCode.ServiceUnavailable)
    {
        lock (_lock)
        {
            _outage = new Outage(window is { } w ? _time.GetUtcNow() + w : null, status);
        }
    }

    public void ResumeAnswering()
    {
        lock (_lock)
        {
            _outage = null;
        }
    }

    /// <summary>Every token issued so far answers 401 from now on.</summary>
    public void ExpireAllTokens()
    {
        lock (_lock)
        {
            foreach (var key in _tokens.Keys.ToList())
            {
                _tokens[key] = _tokens[key] with { Expires = DateTimeOffset.MinValue };
            }
        }
    }

    /// <summary>Creates a disk directly (as if created earlier, by another tool or the Python driver).</summary>
    public string SeedDisk(string name, long sizeMb, string storageProfile = "T1", bool shareable = false)
    {
        lock (_lock)
        {
            var disk = NewDisk(name, sizeMb, storageProfile, "6", "VirtualSCSI", shareable, "seeded");
            disk.Status = 1;
            return disk.Id;
        }
    }

    /// <summary>Attaches a disk directly to a VM (a state the driver finds, such as the drain race's old node).</summary>
    public async Task SeedAttachmentAsync(string diskName, string vmName)
    {
        SimDisk disk;
        SimVmState vm;
        lock (_lock)
        {
            disk = _disks.Values.Single(d => d.Name == diskName);
            vm = _vms.Values.Single(v => v.Name == vmName);
            disk.AttachedVms.Add(vm);
            vm.DiskUnits[disk.Id] = NextUnit(vm);
        }

        await EmulateAttachAsync(vm, disk);
    }

    public void SetPower(string vmName, bool poweredOn)
    {
        lock (_lock)
        {
            _vms.Values.Single(v => v.Name == vmName).PoweredOn = poweredOn;
        }
    }

    /// <summary>A consistent view of the disks: name → the VMs attached, as attachedVms shows them.</summary>
    public IReadOnlyList<SimulatedDiskView> Disks()
    {
        lock (_lock)
        {
            return _disks.Values.Select(d => new SimulatedDiskView(d.Id, d.Name, d.SizeMb, d.Uuid, d.StorageProfile, d.BusType, d.BusSubType, d.AttachedVms.Select(v => v.Name).ToList(), _vms.Values.Where(v => v.DiskUnits.ContainsKey(d.Id)).Select(v => v.Name).ToList())).ToList();
        }
    }

    /// <summary>The sparse file that backs a disk on emulated nodes (created on demand), so a test can pre-write it.</summary>
    public string BackingFileOf(string diskName)
    {
        lock (_lock)
        {
            var disk = _disks.Values.Single(d => d.Name == diskName);
            return _emulator.EnsureBackingFile(disk.Uuid, disk.SizeMb);
        }
    }

    /// <summary>Waits until no task is queued or running (tasks finish on their own timers).</summary>
    public async Task WaitForIdleAsync(TimeSpan timeout)
    {
        var deadline = _time.GetUtcNow() + timeout;
        while (true)
        {
            Task[] running;
            lock (_lock)
            {
                _running.RemoveAll(t => t.IsCompleted);
                running = [.. _running];
            }

            if (running.Length == 0)
            {
                return;
            }

            var remaining = deadline - _time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                throw new TimeoutException($"{running.Length} simulated vCD tasks still running");
            }

            await Task.WhenAny(Task.WhenAll(running), Task.Delay(remaining, _time));
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Tasks still queued or running end here (they wait on the injected clock, which a test may
        // have stopped); their node effects are undone by the emulator's own teardown.
        await _stopping.CancelAsync();
        Task[] running;
        lock (_lock)
        {
            running = [.. _running];
            foreach (var recorder in _scanRecorders.Values)
            {
                recorder.Dispose();
            }
        }

        try
        {
            await Task.WhenAll(running);
        }
        catch (OperationCanceledException)
        {
            // Expected: the tasks' delays were cancelled.
        }

        _stopping.Dispose();
        await _emulator.DisposeAsync();
        await _host.DisposeAsync();
    }

    // ---- request handling ----

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        Requests.Count(request.Method, path);
        context.Response.Headers["X-VMWARE-VCLOUD-REQUEST-ID"] = Guid.NewGuid().ToString();

        TimeSpan latency;
        InjectedFault? fault;
        Outage? outage;
        lock (_lock)
        {
            latency = _latency;
            outage = _outage is { } o && (o.Until is null || o.Until > _time.GetUtcNow()) ? o : null;
            fault = _faults.FirstOrDefault(f => f.Remaining > 0 && string.Equals(f.Method, request.Method, StringComparison.OrdinalIgnoreCase) && f.Path.IsMatch(path));
            if (fault is not null)
            {
                fault.Remaining--;
            }
        }

        if (latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, _time, context.RequestAborted);
        }

        if (outage is not null)
        {
            await WriteErrorAsync(context, (int)outage.Status, "SERVICE_UNAVAILABLE", "The cell is not answering (simulated outage).");
            return;
        }

        if (fault is not null)
        {
            await WriteErrorAsync(context, (int)fault.Status, fault.MinorErrorCode, fault.Message);
            return;
        }

        try
        {
            await RouteAsync(context, path);
        }
        catch (SimulatedError e)
        {
            await WriteErrorAsync(context, e.Status, e.Minor, e.Message);
        }
    }

    private async Task RouteAsync(HttpContext context, string path)
    {
        var method = context.Request.Method;
        if (method == "GET" && path == "/api/versions")
        {
            var versions = _options.Versions.Select(v => (v, double.Parse(v, CultureInfo.InvariantCulture) < _options.DeprecatedBelow));
            await WriteXmlAsync(context, 200, _xml.Versions(versions), "application/vnd.vmware.vcloud.versions+xml");
            return;
        }

        if (method == "POST" && path == "/api/sessions")
        {
            await LegacyLoginAsync(context);
            return;
        }

        if (method == "POST" && (path == "/cloudapi/1.0.0/sessions" || path == "/cloudapi/1.0.0/sessions/provider"))
        {
            await CloudApiLoginAsync(context);
            return;
        }

        var version = RequireVersion(context);
        var user = RequireToken(context);
        context.Items[UserKey] = user;

        switch (method)
        {
            case "GET" when path == "/api/session":
                await WriteXmlAsync(context, 200, _xml.Session(_options.Org, _orgId, user, UserId(user)), "application/vnd.vmware.vcloud.session+xml");
                return;
            case "DELETE" when path == "/api/session":
                RevokeToken(context);
                context.Response.StatusCode = 204;
                return;
            case "GET" when path is "/api/org" or "/api/org/":
                // The OrgList (go-vcloud-director's SetToken validates a token with it; golden api_org).
                await WriteXmlAsync(context, 200, _xml.OrgList(_options.Org, _orgId), "application/vnd.vmware.vcloud.orgList+xml");
                return;
            case "GET" when path == "/api/org/" + _orgId:
                await WriteXmlAsync(context, 200, _xml.Org(_options.Org, _orgId, _options.Vdc, _vdcId), "application/vnd.vmware.vcloud.org+xml");
                return;
            case "GET" when path == "/api/vdc/" + _vdcId:
                XElement vdc;
                lock (_lock)
                {
                    vdc = _xml.Vdc(_options.Vdc, _vdcId, _orgId, _disks.Values.ToList(), _profileIds);
                }

                await WriteXmlAsync(context, 200, vdc, "application/vnd.vmware.vcloud.vdc+xml");
                return;
            case "POST" when path == "/api/vdc/" + _vdcId + "/disk":
                await CreateDiskAsync(context, version);
                return;
            case "GET" when path == "/api/query":
                await QueryAsync(context, version);
                return;
        }

        var match = EntityPath().Match(path);
        if (!match.Success)
        {
            throw Forbidden();
        }

        var kind = match.Groups["kind"].Value;
        var id = match.Groups["id"].Value;
        var rest = match.Groups["rest"].Value;
        switch (kind, method, rest)
        {
            case ("disk", "GET", ""):
                await WriteXmlAsync(context, 200, RenderDisk(id, version), DiskType);
                return;
            case ("disk", "GET", "/attachedVms"):
                XElement vms;
                lock (_lock)
                {
                    vms = _xml.AttachedVms(id, DiskOrForbidden(id).AttachedVms.ToList());
                }

                await WriteXmlAsync(context, 200, vms, "application/vnd.vmware.vcloud.vms+xml");
                return;
            case ("disk", "PUT", ""):
                await ResizeDiskAsync(context, id, version);
                return;
            case ("disk", "DELETE", ""):
                await DeleteDiskAsync(context, id);
                return;
            case ("vApp", "GET", ""):
                XElement vm;
                lock (_lock)
                {
                    vm = _xml.Vm(VmOrForbidden(id), _disks, _profileIds);
                }

                await WriteXmlAsync(context, 200, vm, VmType);
                return;
            case ("vApp", "POST", "/disk/action/attach"):
                await AttachAsync(context, id);
                return;
            case ("vApp", "POST", "/disk/action/detach"):
                await DetachAsync(context, id);
                return;
            case ("task", "GET", ""):
                XElement task;
                lock (_lock)
                {
                    task = _tasks.TryGetValue(id, out var t) ? _xml.Task(t) : throw Forbidden();
                }

                await WriteXmlAsync(context, 200, task, "application/vnd.vmware.vcloud.task+xml");
                return;
        }

        throw new SimulatedError(405, "METHOD_NOT_ALLOWED", $"{method} is not allowed on {path}.");
    }

    [GeneratedRegex("^/api/(?<kind>disk|task|vApp)/(?:vm-)?(?<id>[0-9a-f-]{36})(?<rest>/attachedVms|/disk/action/attach|/disk/action/detach)?$")]
    private static partial Regex EntityPath();

    // ---- authentication ----

    private async Task LegacyLoginAsync(HttpContext context)
    {
        var version = RequireVersion(context);
        var user = CheckBasic(context);
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        lock (_lock)
        {
            _tokens[token] = new SimToken(user, _time.GetUtcNow() + _options.TokenLifetime, Bearer: false);
        }

        context.Response.Headers["x-vcloud-authorization"] = token;
        if (version >= 30)
        {
            // From API 30 vCD also hands out the access token with the legacy login.
            var bearer = IssueBearer(user);
            context.Response.Headers["X-VMWARE-VCLOUD-ACCESS-TOKEN"] = bearer;
            context.Response.Headers["X-VMWARE-VCLOUD-TOKEN-TYPE"] = "Bearer";
        }

        await WriteXmlAsync(context, 200, _xml.Session(_options.Org, _orgId, user, UserId(user)), "application/vnd.vmware.vcloud.session+xml");
    }

    private async Task CloudApiLoginAsync(HttpContext context)
    {
        var accept = context.Request.Headers.Accept.ToString();
        var version = VersionOf(accept);
        if (version is null || !accept.Contains("json", StringComparison.OrdinalIgnoreCase) || !IsSupported(version.Value))
        {
            throw new SimulatedError(406, "NOT_ACCEPTABLE", "The CloudAPI login needs Accept: application/json;version=NN.N with a supported version.");
        }

        if (version < 33)
        {
            throw new SimulatedError(406, "NOT_ACCEPTABLE", "CloudAPI sessions need API 33.0 or later.");
        }

        var user = CheckBasic(context);
        var bearer = IssueBearer(user);
        context.Response.Headers["X-VMWARE-VCLOUD-ACCESS-TOKEN"] = bearer;
        context.Response.Headers["X-VMWARE-VCLOUD-TOKEN-TYPE"] = "Bearer";
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json;version=" + version.Value.ToString("0.0", CultureInfo.InvariantCulture);
        var json = $"{{\"id\":\"urn:vcloud:session:{Guid.NewGuid()}\",\"site\":{{\"name\":\"sim\"}},\"user\":{{\"name\":\"{user}\"}},\"org\":{{\"name\":\"{_options.Org}\",\"id\":\"urn:vcloud:org:{_orgId}\"}},\"operatingOrg\":{{\"name\":\"{_options.Org}\"}},\"roles\":[\"Organization Administrator\"]}}";
        await context.Response.WriteAsync(json);
    }

    private string IssueBearer(string user)
    {
        // A JWT-shaped token (header.payload.signature), far longer than the 32-character legacy token.
        var token = Base64Url(Encoding.UTF8.GetBytes("{\"alg\":\"RS256\",\"typ\":\"JWT\"}")) + "." + Base64Url(Encoding.UTF8.GetBytes($"{{\"sub\":\"{user}\",\"jti\":\"{Guid.NewGuid()}\"}}")) + "." + Base64Url(RandomNumberGenerator.GetBytes(256));
        lock (_lock)
        {
            _tokens[token] = new SimToken(user, _time.GetUtcNow() + _options.TokenLifetime, Bearer: true);
        }

        return token;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private string CheckBasic(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            throw new SimulatedError(401, "UNAUTHORIZED", "Basic authentication is required.");
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..]));
        }
        catch (FormatException)
        {
            throw new SimulatedError(401, "UNAUTHORIZED", "Malformed Basic credentials.");
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        var at = decoded.LastIndexOf('@', colon < 0 ? 0 : colon);
        if (colon < 0 || at < 0)
        {
            throw new SimulatedError(401, "UNAUTHORIZED", "Credentials must be user@org:password.");
        }

        var user = decoded[..at];
        var org = decoded[(at + 1)..colon];
        var password = decoded[(colon + 1)..];
        if (!string.Equals(org, _options.Org, StringComparison.OrdinalIgnoreCase) || !_options.Users.TryGetValue(user, out var expected) || expected != password)
        {
            throw new SimulatedError(401, "UNAUTHORIZED", "Invalid credentials.");
        }

        return user;
    }

    private string RequireToken(HttpContext context)
    {
        var headers = context.Request.Headers;
        var legacy = headers["x-vcloud-authorization"].ToString();
        var authorization = headers.Authorization.ToString();
        var accessToken = headers["X-VMWARE-VCLOUD-ACCESS-TOKEN"].ToString();
        var present = (legacy.Length > 0 ? 1 : 0) + (authorization.Length > 0 ? 1 : 0) + (accessToken.Length > 0 ? 1 : 0);
        if (present > 1)
        {
            Interlocked.Increment(ref _multipleAuthHeaderRequests);
        }

        var token = legacy.Length > 0 ? legacy
            : authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..]
            : accessToken;
        lock (_lock)
        {
            if (token.Length == 0 || !_tokens.TryGetValue(token, out var session) || session.Expires <= _time.GetUtcNow())
            {
                throw new SimulatedError(401, "UNAUTHORIZED", "The session is missing, expired or invalid. Log in again.");
            }

            return session.User;
        }
    }

    private void RevokeToken(HttpContext context)
    {
        var headers = context.Request.Headers;
        var token = headers["x-vcloud-authorization"].ToString();
        if (token.Length == 0 && headers.Authorization.ToString() is { Length: > 7 } bearer)
        {
            token = bearer[7..];
        }

        lock (_lock)
        {
            _tokens.Remove(token);
        }
    }

    /// <summary>Every XML call names a supported version in Accept (application/*+xml;version=NN.N): 406 otherwise.</summary>
    private double RequireVersion(HttpContext context)
    {
        var version = VersionOf(context.Request.Headers.Accept.ToString());
        if (version is null || !IsSupported(version.Value))
        {
            throw new SimulatedError(406, "NOT_ACCEPTABLE", "The request's Accept header must name a supported API version, as in application/*+xml;version=36.0.");
        }

        return version.Value;
    }

    private bool IsSupported(double version) => _options.Versions.Any(v => Math.Abs(double.Parse(v, CultureInfo.InvariantCulture) - version) < 0.001);

    private static double? VersionOf(string accept)
    {
        var match = Regex.Match(accept, @"version=(\d+(?:\.\d+)?)", RegexOptions.CultureInvariant);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    // ---- disks ----

    private async Task CreateDiskAsync(HttpContext context, double version)
    {
        var body = await ReadBodyAsync(context, "application/vnd.vmware.vcloud.diskCreateParams+xml");
        if (body.Name != VCloudXmlWriter.V + "DiskCreateParams" || body.Element(VCloudXmlWriter.V + "Disk") is not { } diskElement)
        {
            throw BadRequest("The body must be a DiskCreateParams with a Disk element.");
        }

        var name = (string?)diskElement.Attribute("name");
        if (string.IsNullOrWhiteSpace(name))
        {
            throw BadRequest("The disk name is required.");
        }

        var sizeBytes = (string?)diskElement.Attribute("size");
        var sizeMbText = (string?)diskElement.Attribute("sizeMb");
        long sizeMb;
        if (version < 33)
        {
            if (sizeMbText is not null || sizeBytes is null || !long.TryParse(sizeBytes, CultureInfo.InvariantCulture, out var bytes) || bytes <= 0)
            {
                throw BadRequest($"API {version:0.0} takes the disk size in bytes (size); sizeMb is not part of this version.");
            }

            sizeMb = (bytes + (1 << 20) - 1) >> 20;
        }
        else
        {
            if (sizeBytes is not null || sizeMbText is null || !long.TryParse(sizeMbText, CultureInfo.InvariantCulture, out sizeMb) || sizeMb <= 0)
            {
                throw BadRequest($"API {version:0.0} takes the disk size in MB (sizeMb); size is no longer supported from API 33.0.");
            }
        }

        var busType = (string?)diskElement.Attribute("busType") ?? "6";
        var busSubType = (string?)diskElement.Attribute("busSubType") ?? "lsilogic";
        if (!ValidBus(busType, busSubType))
        {
            throw BadRequest($"Bus type {busType} with sub type '{busSubType}' is not supported.");
        }

        var profileName = _options.StorageProfiles[0];
        if (diskElement.Element(VCloudXmlWriter.V + "StorageProfile") is { } profile)
        {
            var href = (string?)profile.Attribute("href") ?? string.Empty;
            profileName = _profileIds.FirstOrDefault(p => href.EndsWith("/" + p.Value, StringComparison.Ordinal)).Key
                ?? throw BadRequest($"The storage profile {href} does not belong to VDC {_options.Vdc}.");
        }

        var shareable = string.Equals((string?)diskElement.Attribute("shareable"), "true", StringComparison.OrdinalIgnoreCase);
        XElement answer;
        lock (_lock)
        {
            var disk = NewDisk(name, sizeMb, profileName, busType, busSubType, shareable, (string?)diskElement.Element(VCloudXmlWriter.V + "Description") ?? string.Empty);
            var task = StartTask(UserOf(context), "vdcCreateDisk", $"Creating Disk {name}({disk.Id})", _xml.Href("/api/disk/" + disk.Id), name, DiskType, vm: null, disk, apply: () =>
            {
                disk.Status = 1;
                return null;
            }, onError: () => disk.Status = -1);
            answer = _xml.Disk(disk, version, _vdcId, _profileIds[disk.StorageProfile], [task]);
        }

        await WriteXmlAsync(context, 201, answer, DiskType);
    }

    private static bool ValidBus(string busType, string busSubType) => (busType, busSubType) switch
    {
        ("5", "" or "IDE") => true,
        ("6", "buslogic" or "lsilogic" or "lsilogicsas" or "VirtualSCSI") => true,
        ("20", "vmware.sata.ahci" or "vmware.nvme.controller") => true,
        _ => false,
    };

    private XElement RenderDisk(string id, double version)
    {
        lock (_lock)
        {
            var disk = DiskOrForbidden(id);
            var tasks = disk.BusyWith is { } t ? new[] { t } : [];
            return _xml.Disk(disk, version, _vdcId, _profileIds[disk.StorageProfile], tasks);
        }
    }

    private async Task ResizeDiskAsync(HttpContext context, string id, double version)
    {
        var body = await ReadBodyAsync(context, DiskType);
        var name = (string?)body.Attribute("name");
        if (string.IsNullOrWhiteSpace(name))
        {
            throw BadRequest("disk name is required");
        }

        var newSizeMb = version < 33
            ? (long.TryParse((string?)body.Attribute("size"), CultureInfo.InvariantCulture, out var bytes) ? (bytes + (1 << 20) - 1) >> 20 : 0)
            : (long.TryParse((string?)body.Attribute("sizeMb"), CultureInfo.InvariantCulture, out var mb) ? mb : 0);
        XElement answer;
        lock (_lock)
        {
            var disk = DiskOrForbidden(id);
            if (disk.BusyWith is not null)
            {
                throw Busy(disk.Name);
            }

            if (newSizeMb < disk.SizeMb)
            {
                throw BadRequest("The size of a disk cannot be decreased.");
            }

            if (disk.AttachedVms.Count > 0)
            {
                throw BadRequest($"Disk {disk.Name} is attached to a VM; it can only be resized through the VM.");
            }

            var task = StartTask(UserOf(context), "vdcUpdateDisk", $"Updating Disk {disk.Name}({disk.Id})", _xml.Href("/api/disk/" + disk.Id), disk.Name, DiskType, vm: null, disk, apply: () =>
            {
                disk.Name = name;
                disk.SizeMb = newSizeMb;
                _emulator.Grow(disk.Uuid, newSizeMb);
                return null;
            });
            answer = _xml.Task(task);
        }

        await WriteXmlAsync(context, 202, answer, "application/vnd.vmware.vcloud.task+xml");
    }

    private async Task DeleteDiskAsync(HttpContext context, string id)
    {
        XElement answer;
        lock (_lock)
        {
            var disk = DiskOrForbidden(id);
            if (disk.BusyWith is not null)
            {
                throw Busy(disk.Name);
            }

            if (disk.AttachedVms.Count > 0 || _vms.Values.Any(v => v.DiskUnits.ContainsKey(id)))
            {
                throw BadRequest($"Disk {disk.Name} is attached to a VM and cannot be deleted.");
            }

            var task = StartTask(UserOf(context), "vdcDeleteDisk", $"Deleting Disk {disk.Name}({disk.Id})", _xml.Href("/api/disk/" + disk.Id), disk.Name, DiskType, vm: null, disk, apply: () =>
            {
                _disks.Remove(id);
                _emulator.Delete(disk.Uuid);
                return null;
            });
            answer = _xml.Task(task);
        }

        await WriteXmlAsync(context, 202, answer, "application/vnd.vmware.vcloud.task+xml");
    }

    // ---- attach / detach ----

    private async Task AttachAsync(HttpContext context, string vmId)
    {
        var diskId = await DiskOfParamsAsync(context);
        XElement answer;
        lock (_lock)
        {
            var (vm, disk) = IdleVmAndDisk(vmId, diskId);

            if (disk.BusyWith is not null)
            {
                // The drain race's second half: the old VM left attachedVms, but its detach task still runs.
                throw Busy(disk.Name);
            }

            if (disk.AttachedVms.Contains(vm))
            {
                throw BadRequest($"Disk {disk.Name} is already attached to VM {vm.Name}.");
            }

            var elsewhere = disk.AttachedVms.Count > 0 && !disk.Shareable;
            if (elsewhere && _options.DoubleAttach == DoubleAttachBehaviour.BadRequest)
            {
                throw BadRequest($"Disk {disk.Name} is not shareable and is attached to VM {disk.AttachedVms[0].Name}.");
            }

            var task = StartTask(UserOf(context), "vmAttachDisks", $"Attaching disks to Virtual Machine {vm.Name}({vm.Id})", _xml.Href("/api/vApp/vm-" + vm.Id), vm.Name, VmType, vm, disk: null, apply: () =>
            {
                if (disk.AttachedVms.Count > 0 && !disk.Shareable)
                {
                    return $"Disk {disk.Name} is not shareable and is attached to VM {disk.AttachedVms[0].Name}.";
                }

                if (!_disks.ContainsKey(disk.Id))
                {
                    return $"Disk {disk.Name} does not exist any more.";
                }

                disk.AttachedVms.Add(vm);
                vm.DiskUnits[disk.Id] = NextUnit(vm);
                return null;
            }, afterSuccess: () => EmulateAttachAsync(vm, disk));
            answer = _xml.Task(task);
        }

        await WriteXmlAsync(context, 202, answer, "application/vnd.vmware.vcloud.task+xml");
    }

    private async Task DetachAsync(HttpContext context, string vmId)
    {
        var diskId = await DiskOfParamsAsync(context);
        XElement answer;
        lock (_lock)
        {
            var (vm, disk) = IdleVmAndDisk(vmId, diskId);

            if (!disk.AttachedVms.Contains(vm))
            {
                throw BadRequest($"Disk {disk.Name} is not attached to VM {vm.Name}.");
            }

            // vCD drops the VM from attachedVms as the detach starts, before its task ends.
            disk.AttachedVms.Remove(vm);
            var task = StartTask(UserOf(context), "vmDetachDisks", $"Detaching disks from Virtual Machine {vm.Name}({vm.Id})", _xml.Href("/api/vApp/vm-" + vm.Id), vm.Name, VmType, vm, disk, apply: () =>
            {
                var refusal = _emulator.CanDetach(vm.Name, disk.Uuid);
                if (refusal is not null)
                {
                    disk.AttachedVms.Add(vm);
                    return refusal;
                }

                vm.DiskUnits.Remove(disk.Id);
                return null;
            }, afterSuccess: () => _emulator.DetachAsync(vm.Name, disk.Uuid), onError: () =>
            {
                if (!disk.AttachedVms.Contains(vm) && vm.DiskUnits.ContainsKey(disk.Id))
                {
                    disk.AttachedVms.Add(vm);
                }
            });
            answer = _xml.Task(task);
        }

        await WriteXmlAsync(context, 202, answer, "application/vnd.vmware.vcloud.task+xml");
    }

    private static async Task<string> DiskOfParamsAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context, "application/vnd.vmware.vcloud.diskAttachOrDetachParams+xml");
        var href = (string?)body.Element(VCloudXmlWriter.V + "Disk")?.Attribute("href");
        if (body.Name != VCloudXmlWriter.V + "DiskAttachOrDetachParams" || href is null)
        {
            throw BadRequest("The body must be a DiskAttachOrDetachParams with a Disk reference.");
        }

        var match = Regex.Match(href, "/api/disk/([0-9a-f-]{36})$", RegexOptions.CultureInvariant);
        return match.Success ? match.Groups[1].Value : throw Forbidden();
    }

    /// <summary>
    /// What a VMware guest's kernel and udev show for a hot-added disk: with disk.enableUUID, by-id
    /// links named by the WWN (the disk's UUID); always, the SCSI device at target = unit on the
    /// kernel's host for the VM's bus 1 controller, with the by-path link udev derives from it. The
    /// guest's host numbers deliberately differ from vCloud's bus numbers (bus 0 is host 3, bus 1 is
    /// host 2), as nothing promises they agree.
    /// </summary>
    private Task EmulateAttachAsync(SimVmState vm, SimDisk disk)
    {
        if (!_options.EmulatedNodes.TryGetValue(vm.Name, out var root))
        {
            return Task.CompletedTask;
        }

        int unit;
        lock (_lock)
        {
            unit = vm.DiskUnits[disk.Id];
        }

        return _emulator.AttachAsync(vm.Name, disk.Uuid, disk.SizeMb, device =>
        {
            var hex = disk.Uuid.Replace("-", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
            var name = Path.GetFileName(device);
            var partitioned = Directory.Exists("/sys/class/block/" + name + "p1");
            var links = new List<string>();
            if (_options.GuestSeesDiskUuid)
            {
                foreach (var prefix in new[] { "wwn-0x", "scsi-3" })
                {
                    links.Add(LoopNodeEmulator.Link(Path.Join(root, "dev/disk/by-id", prefix + hex), device));
                    if (partitioned)
                    {
                        links.Add(LoopNodeEmulator.Link(Path.Join(root, "dev/disk/by-id", prefix + hex + "-part1"), "/dev/" + name + "p1"));
                    }
                }
            }

            links.Add(EmulateScsiDevice(root, string.Create(CultureInfo.InvariantCulture, $"{GuestHostOfBus1}:0:{unit}:0"), name, disk.SizeMb));
            var byPath = Path.Join(root, "dev/disk/by-path", string.Create(CultureInfo.InvariantCulture, $"pci-0000:13:00.0-scsi-0:0:{unit}:0"));
            links.Add(LoopNodeEmulator.Link(byPath, device));
            if (partitioned)
            {
                links.Add(LoopNodeEmulator.Link(byPath + "-part1", "/dev/" + name + "p1"));
            }

            return links;
        });
    }

    private const int GuestHostOfBus0 = 3;

    private const int GuestHostOfBus1 = 2;

    /// <summary>
    /// A SCSI device as sysfs shows it under /sys/bus/scsi/devices/H:C:T:L: VMware's vendor and
    /// model, and its block device with the size in 512-byte sectors. Returns the directory.
    /// </summary>
    private static string EmulateScsiDevice(string root, string address, string blockName, long sizeMb)
    {
        var directory = Path.Join(root, "sys/bus/scsi/devices", address);
        Directory.CreateDirectory(Path.Join(directory, "block", blockName));
        File.WriteAllText(Path.Join(directory, "vendor"), "VMware  \n");
        File.WriteAllText(Path.Join(directory, "model"), "Virtual disk    \n");
        File.WriteAllText(Path.Join(directory, "block", blockName, "size"), (sizeMb * 2048).ToString(CultureInfo.InvariantCulture) + "\n");
        return directory;
    }

    private static int NextUnit(SimVmState vm)
    {
        // Unit 7 of a SCSI bus is the controller's own.
        var unit = 0;
        while (unit == 7 || vm.DiskUnits.ContainsValue(unit))
        {
            unit++;
        }

        return unit;
    }

    // ---- tasks ----

    /// <summary>Starts a task that holds the VM and/or disk, applies its effect when it ends, and fails when told to. Call under the lock.</summary>
    private SimTask StartTask(string user, string operationName, string operation, string ownerHref, string ownerName, string ownerType, SimVmState? vm, SimDisk? disk, Func<string?> apply, Func<Task>? afterSuccess = null, Action? onError = null)
    {
        var task = new SimTask
        {
            Id = Guid.NewGuid().ToString(),
            OperationName = operationName,
            Operation = operation,
            OwnerHref = ownerHref,
            OwnerName = ownerName,
            OwnerType = ownerType,
            StartTime = _time.GetUtcNow(),
            UserName = user,
            UserId = UserId(user),
            OrgName = _options.Org,
            OrgId = _orgId,
        };
        _tasks[task.Id] = task;
        if (vm is not null)
        {
            vm.BusyWith = task;
        }

        if (disk is not null)
        {
            disk.BusyWith = task;
        }

        TaskEnding? forcedEnd = null;
        if (_taskFailures.TryGetValue(operationName, out var failures) && failures.Count > 0)
        {
            forcedEnd = failures.Ending;
            _taskFailures[operationName] = (failures.Count - 1, failures.Ending);
        }

        var queued = _taskQueuedTime;
        var running = _taskRunTime;
        // Started here, not queued to the thread pool: the task's clock starts when vCD creates it,
        // so its first wait is set before the answer goes out, whenever a thread would have run it.
        _running.Add(RunUntilStoppedAsync());
        return task;

        async Task RunUntilStoppedAsync()
        {
            try
            {
                await RunTaskAsync();
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                // The double is being disposed.
            }
        }

        // Call under the lock: the task no longer holds its VM and disk.
        void ReleaseHolds()
        {
            if (vm is not null && vm.BusyWith == task)
            {
                vm.BusyWith = null;
            }

            if (disk is not null && disk.BusyWith == task)
            {
                disk.BusyWith = null;
            }
        }

        async Task RunTaskAsync()
        {
            if (queued > TimeSpan.Zero)
            {
                await Task.Delay(queued, _time, _stopping.Token);
            }
            else
            {
                // The caller holds the lock and has not finished starting the task: go on off its thread.
                await Task.Yield();
            }

            lock (_lock)
            {
                task.Status = "running";
                task.Progress = 10;
            }

            await Task.Delay(running, _time, _stopping.Token);
            string? error;
            lock (_lock)
            {
                if (forcedEnd is { } end)
                {
                    task.EndTime = _time.GetUtcNow();
                    ReleaseHolds();
                    onError?.Invoke();
                    task.Status = end.Status;
                    task.ErrorMessage = end.Message;
                    task.ErrorMinorCode = end.MinorErrorCode;
                    return;
                }

                try
                {
                    error = apply();
                }
                catch (Exception e)
                {
                    // A bug in the double must show as a failed task, not as one that runs forever.
                    error = "simulator error: " + e.Message;
                }

                task.EndTime = _time.GetUtcNow();
                ReleaseHolds();
                if (error is null && afterSuccess is null)
                {
                    task.Status = "success";
                    task.Progress = 100;
                }
                else if (error is not null)
                {
                    onError?.Invoke();
                    task.Status = "error";
                    task.ErrorMessage = error;
                }
            }

            if (error is null && afterSuccess is not null)
            {
                // Node-side effects (a loop device appearing) happen before the task reports success,
                // as a hot-added disk is visible in the guest when vCD's task ends.
                string? emulationError = null;
                try
                {
                    await afterSuccess();
                }
                catch (Exception e)
                {
                    emulationError = "node emulation failed: " + e.Message;
                }

                lock (_lock)
                {
                    task.Status = emulationError is null ? "success" : "error";
                    task.ErrorMessage = emulationError;
                    task.Progress = 100;
                }
            }
        }
    }

    // ---- query service ----

    private async Task QueryAsync(HttpContext context, double version)
    {
        var query = context.Request.Query;
        var type = query["type"].ToString();
        var format = query["format"].ToString();
        if (format.Length > 0 && format != "records")
        {
            throw BadRequest($"This double serves format=records only, not {format}.");
        }

        var page = int.TryParse(query["page"], CultureInfo.InvariantCulture, out var p) && p > 0 ? p : 1;
        var pageSize = int.TryParse(query["pageSize"], CultureInfo.InvariantCulture, out var s) && s > 0 ? Math.Min(s, _options.QueryMaxPageSize) : _options.QueryDefaultPageSize;
        var filters = ParseFilter(query["filter"].ToString(), string.Equals(query["filterEncoded"], "true", StringComparison.OrdinalIgnoreCase));
        List<XElement> records;
        lock (_lock)
        {
            records = type switch
            {
                "disk" => _disks.Values.Where(d => Matches(filters, DiskFields(d))).OrderBy(d => d.Name, StringComparer.Ordinal)
                    .Select(d => _xml.DiskRecord(d, version, _options.Vdc, _vdcId, _profileIds[d.StorageProfile])).ToList(),
                "vm" => _vms.Values.Where(v => Matches(filters, VmFields(v))).OrderBy(v => v.Name, StringComparer.Ordinal)
                    .Select(v => _xml.VmRecord(v, _options.Vdc, _vdcId)).ToList(),
                _ => throw BadRequest($"Query type '{type}' is not served by this double."),
            };
        }

        var total = records.Count;
        var pageRecords = records.Skip((page - 1) * pageSize).Take(pageSize);

        // Every page link repeats the query as it was asked (filter and its encoding flag included),
        // with the page size the server applied.
        var filter = query["filter"].ToString();
        var tail = filter.Length == 0 ? string.Empty : "&filter=" + Uri.EscapeDataString(filter) + (query.ContainsKey("filterEncoded") ? "&filterEncoded=" + query["filterEncoded"] : string.Empty);
        string PageHref(int number, string pageFormat) =>
            _xml.Href(string.Create(CultureInfo.InvariantCulture, $"/api/query?type={type}&page={number}&pageSize={pageSize}&format={pageFormat}{tail}"));

        await WriteXmlAsync(context, 200, _xml.QueryRecords(type, page, pageSize, total, pageRecords, PageHref), "application/vnd.vmware.vcloud.query.records+xml");
    }

    private Dictionary<string, string> DiskFields(SimDisk d) => new(StringComparer.Ordinal)
    {
        ["name"] = d.Name,
        ["vdc"] = _vdcId,
        ["storageProfileName"] = d.StorageProfile,
        ["isAttached"] = d.AttachedVms.Count > 0 ? "true" : "false",
    };

    private Dictionary<string, string> VmFields(SimVmState v) => new(StringComparer.Ordinal)
    {
        ["name"] = v.Name,
        ["vdc"] = _vdcId,
        ["containerName"] = v.VApp,
        ["isVAppTemplate"] = "false",
        ["status"] = v.PoweredOn ? "POWERED_ON" : "POWERED_OFF",
    };

    /// <summary>
    /// FIQL as the query service reads it: conditions joined by ';' (and), values with '\' escaping
    /// the syntax characters; a vdc value may be the VDC's href or its URN.
    /// </summary>
    private static List<(string Field, string Value)> ParseFilter(string filter, bool valuesEncoded)
    {
        var conditions = new List<(string, string)>();
        if (filter.Length == 0)
        {
            return conditions;
        }

        if (filter.Contains(',', StringComparison.Ordinal) || filter.Contains('(', StringComparison.Ordinal))
        {
            throw BadRequest("This double serves filters of conditions joined by ';' only.");
        }

        foreach (var part in SplitUnescaped(filter, ';'))
        {
            var eq = part.IndexOf("==", StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw BadRequest($"Bad filter condition '{part}'.");
            }

            var field = part[..eq];
            // With filterEncoded=true each value is URL-encoded inside the (itself encoded) filter, as
            // go-vcloud-director's QueryDisk sends it: decode once more.
            var raw = part[(eq + 2)..];
            var value = (valuesEncoded ? Uri.UnescapeDataString(raw) : raw).Replace("\\", string.Empty, StringComparison.Ordinal);
            if (field == "vdc")
            {
                value = value[(value.LastIndexOfAny(['/', ':']) + 1)..];
            }

            conditions.Add((field, value));
        }

        return conditions;
    }

    private static IEnumerable<string> SplitUnescaped(string text, char separator)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == separator)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }

        yield return text[start..];
    }

    private static bool Matches(List<(string Field, string Value)> filters, Dictionary<string, string> fields) =>
        filters.All(f => fields.TryGetValue(f.Field, out var actual) ? WildcardMatch(f.Value, actual) : throw BadRequest($"Unknown query field '{f.Field}'."));

    private static bool WildcardMatch(string pattern, string value) =>
        pattern.Contains('*', StringComparison.Ordinal)
            ? Regex.IsMatch(value, "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant)
            : string.Equals(pattern, value, StringComparison.Ordinal);

    // ---- helpers ----

    private SimDisk NewDisk(string name, long sizeMb, string profile, string busType, string busSubType, bool shareable, string description)
    {
        // A VMware disk UUID as vCD shows it (8-4-4-4-12 hex); the guest sees the same 32 digits as its WWN.
        var hex = "6000c29" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(13))[..25];
        var disk = new SimDisk
        {
            Id = Guid.NewGuid().ToString(),
            Name = name,
            SizeMb = sizeMb,
            Uuid = $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}",
            StorageProfile = profile,
            BusType = busType,
            BusSubType = busSubType,
            Shareable = shareable,
            Description = description,
        };
        _disks[disk.Id] = disk;
        return disk;
    }

    /// <summary>The VM and disk of an attach or detach; a VM running another task answers BUSY_ENTITY. Call under the lock.</summary>
    private (SimVmState Vm, SimDisk Disk) IdleVmAndDisk(string vmId, string diskId)
    {
        var vm = VmOrForbidden(vmId);
        var disk = DiskOrForbidden(diskId);
        return vm.BusyWith is null ? (vm, disk) : throw Busy(vm.Name);
    }

    private SimDisk DiskOrForbidden(string id) => _disks.TryGetValue(id, out var disk) ? disk : throw Forbidden();

    private SimVmState VmOrForbidden(string id) => _vms.TryGetValue(id, out var vm) ? vm : throw Forbidden();

    private static SimulatedError Forbidden() =>
        new(403, "ACCESS_TO_RESOURCE_IS_FORBIDDEN", "[ 0a1b ] Either you need some or all of the following rights [Base] to perform operations [Get] for this entity or the entity does not exist.");

    private static SimulatedError BadRequest(string message) => new(400, "BAD_REQUEST", message);

    private static SimulatedError Busy(string name) => new(400, "BUSY_ENTITY", $"[ 7d2e ] The entity {name} is busy completing an operation.");

    private static async Task<XElement> ReadBodyAsync(HttpContext context, string mediaType)
    {
        var contentType = context.Request.ContentType ?? string.Empty;
        if (!contentType.StartsWith(mediaType, StringComparison.OrdinalIgnoreCase))
        {
            throw new SimulatedError(415, "UNSUPPORTED_MEDIA_TYPE", $"Content-Type must be {mediaType}, not '{contentType}'.");
        }

        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        try
        {
            return XElement.Parse(text);
        }
        catch (XmlException e)
        {
            throw BadRequest("The body is not XML: " + e.Message);
        }
    }

    private static async Task WriteXmlAsync(HttpContext context, int status, XElement body, string mediaType)
    {
        context.Response.StatusCode = status;
        var version = VersionOf(context.Request.Headers.Accept.ToString());
        context.Response.ContentType = mediaType + (version is null ? string.Empty : ";version=" + version.Value.ToString("0.0", CultureInfo.InvariantCulture));
        await context.Response.WriteAsync("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n" + body.ToString(SaveOptions.DisableFormatting));
    }

    private static async Task WriteErrorAsync(HttpContext context, int status, string minor, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/vnd.vmware.vcloud.error+xml";
        await context.Response.WriteAsync("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n" + VCloudXmlWriter.Error(status, minor, message).ToString(SaveOptions.DisableFormatting));
    }

    private const string UserKey = "vcd.user";

    private static string UserOf(HttpContext context) => context.Items[UserKey] as string ?? "unknown";

    private static string UserId(string user) => DeterministicId("user:" + user);

    private static string DeterministicId(string seed)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(seed))[..16];
        return new Guid(bytes).ToString();
    }

    private sealed record Outage(DateTimeOffset? Until, HttpStatusCode Status);

    /// <summary>How an injected task ends: its status and, for error, the Error element's minor code and message.</summary>
    private sealed record TaskEnding(string Status, string? MinorErrorCode, string? Message);

    private sealed class InjectedFault(string method, Regex path, int remaining, HttpStatusCode status, string minorErrorCode, string message)
    {
        public string Method { get; } = method;

        public Regex Path { get; } = path;

        public int Remaining { get; set; } = remaining;

        public HttpStatusCode Status { get; } = status;

        public string MinorErrorCode { get; } = minorErrorCode;

        public string Message { get; } = message;
    }

    private sealed class SimulatedError(int status, string minor, string message) : Exception(message)
    {
        public int Status { get; } = status;

        public string Minor { get; } = minor;
    }
}

/// <summary>A disk as tests see it: attachedVms (what vCD reports) and the VMs whose hardware holds it.</summary>
public sealed record SimulatedDiskView(string Id, string Name, long SizeMb, string Uuid, string StorageProfile, string BusType, string BusSubType, IReadOnlyList<string> AttachedVms, IReadOnlyList<string> HeldByVms);
