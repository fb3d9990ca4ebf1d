using System.Text.Json;
using VolumeDriver.Tests.Configuration;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Contract;

/// <summary>
/// Through the published binary: a TLS file of the etcd section that cannot be used is a doctor
/// check and a verb Failure naming the key and the file (never an internal error), and a bad volume
/// option fails naming its key before the driver sends vCD a single request.
/// </summary>
public sealed class VCloudConfigurationFailureTests
{
    private const string Driver = "answear.com~vcloud";

    [ContractFact]
    public async Task Doctor_WithTheShippedVCloudYaml_FailsTheEtcdCheckNamingTheKeyAndTheFile()
    {
        var directory = Directory.CreateTempSubdirectory("vd-vcloud-doctor-").FullName;
        try
        {
            // config/vcloud.yaml as shipped, with its absolute paths moved under a temporary root so
            // that neither this machine's /etc nor its /var is read or written.
            var shipped = await File.ReadAllTextAsync(Path.Join(ConfigurationLoaderTests.FindRepositoryRoot(), "config", "vcloud.yaml")).WithTimeout();
            var config = Path.Join(directory, "vcloud.yaml");
            await File.WriteAllTextAsync(config, shipped
                .Replace("/etc/etcd/ssl/", directory + "/etc/etcd/ssl/", StringComparison.Ordinal)
                .Replace("/var/log/volume-driver.log", directory + "/volume-driver.log", StringComparison.Ordinal)
                .Replace("  password: change-me", $"  password: change-me\n  state_dir: {directory}/state", StringComparison.Ordinal)).WithTimeout();

            var run = await KubeletExec.RunAsync(["doctor", "--json", "--plugin-dir", directory, "--driver", Driver], new Dictionary<string, string> { ["VOLUME_DRIVER_CONFIG"] = config }).WithTimeout();

            Assert.DoesNotContain("internal error", run.Text, StringComparison.Ordinal);
            using var report = JsonDocument.Parse(run.Combined);
            var checks = report.RootElement.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c);
            Assert.True(checks["configuration"].GetProperty("status").GetString() == "ok", run.Text);
            var etcd = checks["etcd"];
            Assert.Equal("fail", etcd.GetProperty("status").GetString());
            var detail = etcd.GetProperty("detail").GetString()!;
            Assert.Contains($"vcloud.etcd.ca_cert '{directory}/etc/etcd/ssl/ca.crt' does not exist", detail, StringComparison.Ordinal);
            Assert.Equal(1, run.ExitCode);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [ContractTheory]
    [InlineData("missing", "does not exist")]
    [InlineData("directory", "is a directory")]
    [InlineData("device", "is not a regular file")]
    [InlineData("fifo", "is not a regular file")]
    [InlineData("not-pem", "are not a PEM certificate")]
    public async Task Verb_WithAnEtcdClientCertificateThatCannotBeUsed_IsAFailureNamingTheKeyAndTheFile(string kind, string expected)
    {
        await using var fixture = await VCloudNodeFixture.StartAsync(etcdEndpoint: "https://127.0.0.1:1").WithTimeout();
        var certificate = kind switch
        {
            "missing" => Path.Join(fixture.Root, "etcd.crt"),
            "directory" => Directory.CreateDirectory(Path.Join(fixture.Root, "etcd.crt")).FullName,
            "device" => "/dev/null",
            "fifo" => MakeFifo(Path.Join(fixture.Root, "etcd.crt")),
            _ => WriteText(Path.Join(fixture.Root, "etcd.crt"), "not a certificate\n"),
        };
        var key = WriteText(Path.Join(fixture.Root, "etcd.key"), "not a key either\n");
        var config = fixture.ConfigOf("node-1");
        await File.WriteAllTextAsync(config, (await File.ReadAllTextAsync(config).WithTimeout()).Replace("    lease_ttl: 5s", $"    lease_ttl: 5s\n    cert: {certificate}\n    key: {key}", StringComparison.Ordinal)).WithTimeout();

        var attach = await fixture.ExpectAsync("node-1", "Failure", "attach", VCloudNodeFixture.Options("pv-etcd-tls", size: "64Mi"), "node-1").WithTimeout();
        var doctor = await fixture.RunAsync("node-1", "doctor", "--json", "--plugin-dir", fixture.Root, "--driver", Driver).WithTimeout();

        Assert.Contains("vcloud.etcd.cert", attach.Message, StringComparison.Ordinal);
        Assert.Contains(certificate, attach.Message, StringComparison.Ordinal);
        Assert.Contains(expected, attach.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", attach.Message, StringComparison.Ordinal);
        Assert.All(fixture.Simulator.Disks(), d => Assert.Empty(d.AttachedVms));
        using var report = JsonDocument.Parse(doctor.Combined);
        var etcd = report.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "etcd");
        Assert.Equal("fail", etcd.GetProperty("status").GetString());
        Assert.Contains("vcloud.etcd.cert", etcd.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains(expected, etcd.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // A verb that takes no VM lock does not need etcd, so it does not fail on its files.
        await fixture.ExpectAsync("node-1", "Success", "isattached", VCloudNodeFixture.Options("pv-etcd-tls"), "node-1").WithTimeout();
    }

    [ContractTheory]
    [InlineData("busType", "7", "attach")]
    [InlineData("busSubType", "lsilogic", "attach")]
    [InlineData("volumeName", "data;drop", "attach")]
    [InlineData("storage", "gold\u0007", "attach")]
    [InlineData("busType", "7", "isattached")]
    public async Task BadVolumeOption_FailsNamingTheKey_WithoutAnyRequestToVcd(string key, string value, string verb)
    {
        await using var fixture = await VCloudNodeFixture.StartAsync().WithTimeout();
        var extra = new Dictionary<string, string> { [key] = value };
        if (key == "busSubType")
        {
            extra["busType"] = "20";
        }

        var failure = await fixture.ExpectAsync("node-1", "Failure", verb, VCloudNodeFixture.Options("pv-bad-option", size: "64Mi", extra: extra), "node-1").WithTimeout();

        Assert.Contains(key, failure.Message, StringComparison.Ordinal);
        Assert.Equal(0, fixture.Simulator.Requests.Total);
        Assert.Empty(fixture.Simulator.Disks());
    }

    private static string WriteText(string path, string text)
    {
        File.WriteAllText(path, text);
        return path;
    }

    private static string MakeFifo(string path)
    {
        using var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path]);
        Assert.True(mkfifo.WaitForExit(TimeSpan.FromSeconds(10)), "mkfifo did not finish");
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }
}
