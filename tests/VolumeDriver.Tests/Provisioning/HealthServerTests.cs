using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using VolumeDriver.Provisioning;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Provisioning;

public sealed class HealthServerTests
{
    [Fact]
    public async Task Readyz_BeforeTheApiServerAnswers_Is503UntilItDoes()
    {
        var health = new ProvisionerHealth();
        await using var server = Start(health);

        Assert.StartsWith("HTTP/1.1 503 Service Unavailable\r\n", await GetAsync(server.Port, "/readyz").WithTimeout(), StringComparison.Ordinal);
        health.ApiServerReached();
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", await GetAsync(server.Port, "/readyz").WithTimeout(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readyz_LeadingBeforeTheInformersSynced_Is503()
    {
        var health = new ProvisionerHealth();
        health.ApiServerReached();
        health.Leading(true);
        await using var server = Start(health);

        var response = await GetAsync(server.Port, "/readyz").WithTimeout();
        Assert.StartsWith("HTTP/1.1 503", response, StringComparison.Ordinal);
        Assert.Contains("informers", response, StringComparison.Ordinal);

        health.Synced();
        Assert.StartsWith("HTTP/1.1 200", await GetAsync(server.Port, "/readyz").WithTimeout(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Healthz_Answers200WithAContentLength()
    {
        await using var server = Start(new ProvisionerHealth());

        var response = await GetAsync(server.Port, "/healthz?verbose").WithTimeout();

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", response, StringComparison.Ordinal);
        Assert.Contains("Content-Length: 3\r\n", response, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nok\n", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtherPathsAndGarbage_Are404And400()
    {
        await using var server = Start(new ProvisionerHealth());

        Assert.StartsWith("HTTP/1.1 404", await GetAsync(server.Port, "/metrics").WithTimeout(), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 400", await SendAsync(server.Port, "HELLO\r\n\r\n").WithTimeout(), StringComparison.Ordinal);
    }

    private static HealthServer Start(ProvisionerHealth health)
    {
        var server = new HealthServer(new IPEndPoint(IPAddress.Loopback, 0), health, TimeProvider.System, NullLogger.Instance);
        server.Start();
        return server;
    }

    private static Task<string> GetAsync(int port, string path) =>
        SendAsync(port, $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: kube-probe/1.36\r\nAccept: */*\r\n\r\n");

    private static async Task<string> SendAsync(int port, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port).WithTimeout();
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request)).WithTimeout();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync().WithTimeout();
    }
}
