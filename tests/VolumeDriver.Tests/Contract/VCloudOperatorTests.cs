using System.Text.Json;
using Simulators;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Contract;

/// <summary>doctor, list and the failure paths of the vCloud backend, through the published binary.</summary>
public sealed class VCloudOperatorTests
{
    [LifecycleFact]
    public async Task Doctor_ChecksTheLogin_TheVdc_AndTheNodesVm()
    {
        await using var fixture = await VCloudNodeFixture.StartAsync().WithTimeout();

        var run = await fixture.RunAsync("node-2", "doctor", "--json", "--plugin-dir", fixture.Root, "--driver", "answear.com~vcloud").WithTimeout();

        using var report = JsonDocument.Parse(run.Combined);
        var checks = report.RootElement.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c);
        Assert.True(checks["credentials"].GetProperty("status").GetString() == "ok", run.Text);
        Assert.Contains("k8s@acme", checks["credentials"].GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("ok", checks["cloud API"].GetProperty("status").GetString());
        Assert.Contains("T1, fast", checks["cloud API"].GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("ok", checks["node VM"].GetProperty("status").GetString());
        Assert.Contains("'node-2'", checks["node VM"].GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("ok", checks["tls"].GetProperty("status").GetString());
    }

    [LifecycleFact]
    public async Task List_ShowsTheVdcsDisksAndTheirNodes()
    {
        await using var fixture = await VCloudNodeFixture.StartAsync().WithTimeout();
        fixture.Simulator.SeedDisk("pv-idle", 64, "fast");
        await fixture.ExpectAsync("node-3", "Success", "attach", VCloudNodeFixture.Options("pv-used", size: "64Mi"), "node-3").WithTimeout();

        var run = await fixture.RunAsync("node-1", "list", "--json").WithTimeout();

        using var document = JsonDocument.Parse(run.Combined);
        var volumes = document.RootElement.GetProperty("volumes").EnumerateArray().ToDictionary(v => v.GetProperty("name").GetString()!, v => v);
        Assert.Equal("node-3", volumes["pv-used"].GetProperty("node").GetString());
        Assert.Equal(JsonValueKind.Null, volumes["pv-idle"].GetProperty("node").ValueKind);
        await fixture.ExpectAsync("node-3", "Success", "detach", "pv-used", "node-3").WithTimeout();
    }

    [LifecycleFact]
    public async Task EtcdDown_AttachIsAClearFailure_AndNothingIsAttached()
    {
        await using var fixture = await VCloudNodeFixture.StartAsync(etcdEndpoint: "http://127.0.0.1:1").WithTimeout();

        var failure = await fixture.ExpectAsync("node-1", "Failure", "attach", VCloudNodeFixture.Options("pv-noetcd", size: "64Mi"), "node-1").WithTimeout();

        Assert.Contains("cannot reach etcd", failure.Message, StringComparison.Ordinal);
        Assert.All(fixture.Simulator.Disks(), d => Assert.Empty(d.AttachedVms));
    }

    [LifecycleFact]
    public async Task VerifySslCertsFalse_Works_AndWarnsInTheLog()
    {
        await using var fixture = await VCloudNodeFixture.StartAsync().WithTimeout();
        var config = fixture.ConfigOf("node-1");
        await ReplacedFile.WriteAllTextAsync(config, (await File.ReadAllTextAsync(config).WithTimeout()).Replace("verify_ssl_certs: True", "verify_ssl_certs: False", StringComparison.Ordinal)).WithTimeout();

        await fixture.ExpectAsync("node-1", "Success", "isattached", VCloudNodeFixture.Options("pv-tls"), "node-1").WithTimeout();

        Assert.Contains("verify_ssl_certs is false", await File.ReadAllTextAsync(fixture.LogOf("node-1")).WithTimeout(), StringComparison.Ordinal);
    }
}
