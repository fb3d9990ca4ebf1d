using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml.Linq;
using Simulators.VCloud;
using VolumeDriver.Host;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Simulators.VCloud;

/// <summary>
/// Plain HTTP against the vCD double, as a client library would send it (no driver code involved), so
/// the double's shapes are asserted on their own: an HttpClient that trusts only the double's CA,
/// Accept with a version, and exactly one auth header.
/// </summary>
internal sealed class RawVCloudClient : IDisposable
{
    public static readonly XNamespace V = "http://www.vmware.com/vcloud/v1.5";
    public static readonly XNamespace Ovf = "http://schemas.dmtf.org/ovf/envelope/1";
    public static readonly XNamespace Rasd = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData";

    private readonly HttpClient _http;
    private readonly X509Certificate2Collection _ca = [];

    public RawVCloudClient(VCloudDirectorSimulator simulator, string version = "36.0")
    {
        Simulator = simulator;
        Version = version;
        _ca.ImportFromPemFile(simulator.CaCertificatePemPath);
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = TlsTrust.OnlyRoots(_ca) },
        };
        _http = new HttpClient(handler) { BaseAddress = simulator.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
    }

    public VCloudDirectorSimulator Simulator { get; }

    public string Version { get; set; }

    /// <summary>The legacy token (x-vcloud-authorization) or, when <see cref="Bearer"/> is set, the JWT.</summary>
    public string? Token { get; set; }

    public bool Bearer { get; set; }

    public string Accept => "application/*+xml;version=" + Version;

    /// <summary>POST /api/sessions with Basic user@org and keeps the legacy token.</summary>
    public async Task<HttpResponseMessage> LoginAsync(string user = "k8s", string? password = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/sessions");
        request.Headers.TryAddWithoutValidation("Accept", Accept);
        request.Headers.Authorization = Basic(user + "@" + Simulator.Options.Org, password ?? Simulator.Options.Users[user]);
        var response = await _http.SendAsync(request).WithTimeout();
        if (response.IsSuccessStatusCode)
        {
            Token = response.Headers.GetValues("x-vcloud-authorization").Single();
            Bearer = false;
        }

        return response;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathOrUrl, XElement? body = null, string? contentType = null, string? accept = null, bool authenticate = true, Action<HttpRequestMessage>? tweak = null)
    {
        var request = new HttpRequestMessage(method, pathOrUrl.StartsWith("https://", StringComparison.Ordinal) ? new Uri(pathOrUrl) : new Uri(pathOrUrl.TrimStart('/'), UriKind.Relative));
        request.Headers.TryAddWithoutValidation("Accept", accept ?? Accept);
        if (authenticate && Token is not null)
        {
            if (Bearer)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            }
            else
            {
                request.Headers.TryAddWithoutValidation("x-vcloud-authorization", Token);
            }
        }

        if (body is not null)
        {
            request.Content = new StringContent(body.ToString(), Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType ?? "application/xml");
        }

        tweak?.Invoke(request);
        using (request)
        {
            return await _http.SendAsync(request).WithTimeout();
        }
    }

    /// <summary>Sends and expects <paramref name="status"/>; returns the XML body.</summary>
    public async Task<XElement> ExpectAsync(HttpStatusCode status, HttpMethod method, string pathOrUrl, XElement? body = null, string? contentType = null)
    {
        using var response = await SendAsync(method, pathOrUrl, body, contentType).WithTimeout();
        var text = await response.Content.ReadAsStringAsync().WithTimeout();
        Assert.True(response.StatusCode == status, $"{method} {pathOrUrl}: expected {(int)status}, got {(int)response.StatusCode}: {text}");
        return XElement.Parse(text);
    }

    public Task<XElement> GetAsync(string pathOrUrl) => ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, pathOrUrl);

    /// <summary>The href of the VM record named <paramref name="name"/>, from the query service.</summary>
    public async Task<string> VmHrefAsync(string name)
    {
        var records = await GetAsync("api/query?type=vm&format=records&filter=" + Uri.EscapeDataString("isVAppTemplate==false;name==" + name)).WithTimeout();
        return (string)records.Elements(V + "VMRecord").Single().Attribute("href")!;
    }

    public async Task<string> DiskHrefAsync(string name)
    {
        var records = await GetAsync("api/query?type=disk&format=records&filter=" + Uri.EscapeDataString("name==" + name)).WithTimeout();
        return (string)records.Elements(V + "DiskRecord").Single().Attribute("href")!;
    }

    public static XElement AttachParams(string diskHref) => new(
        V + "DiskAttachOrDetachParams",
        new XElement(V + "Disk", new XAttribute("type", "application/vnd.vmware.vcloud.disk+xml"), new XAttribute("href", diskHref)));

    public const string AttachParamsType = "application/vnd.vmware.vcloud.diskAttachOrDetachParams+xml";

    /// <summary>POSTs DiskAttachOrDetachParams to the VM's disk:attach or disk:detach link, found by rel and type.</summary>
    public async Task<HttpResponseMessage> DiskActionAsync(string vmHref, string rel, string diskHref)
    {
        var vm = await GetAsync(vmHref).WithTimeout();
        var link = vm.Elements(V + "Link").Single(l => (string?)l.Attribute("rel") == rel && (string?)l.Attribute("type") == AttachParamsType);
        return await SendAsync(HttpMethod.Post, (string)link.Attribute("href")!, AttachParams(diskHref), AttachParamsType).WithTimeout();
    }

    public async Task<XElement> DiskActionTaskAsync(string vmHref, string rel, string diskHref)
    {
        using var response = await DiskActionAsync(vmHref, rel, diskHref).WithTimeout();
        var text = await response.Content.ReadAsStringAsync().WithTimeout();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{rel}: expected 202, got {(int)response.StatusCode}: {text}");
        return XElement.Parse(text);
    }

    /// <summary>Polls a task (every 20 ms, up to <paramref name="limit"/>) until it is no longer queued or running.</summary>
    public async Task<XElement> WaitForTaskAsync(XElement task, TimeSpan? limit = null)
    {
        var href = (string)task.Attribute("href")!;
        var deadline = TimeProvider.System.GetUtcNow() + (limit ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            task = await GetAsync(href).WithTimeout();
            if ((string?)task.Attribute("status") is not ("queued" or "preRunning" or "running"))
            {
                return task;
            }

            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"task {href} still {(string?)task.Attribute("status")}");
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        }
    }

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));

    public void Dispose()
    {
        _http.Dispose();
        foreach (var certificate in _ca)
        {
            certificate.Dispose();
        }
    }
}
