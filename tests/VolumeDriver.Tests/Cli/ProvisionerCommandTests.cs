using System.Text;
using System.Text.Json;
using VolumeDriver.Cli;
using VolumeDriver.FlexVolume;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Cli;

public sealed class ProvisionerCommandTests : IDisposable
{
    private readonly Interruption _interruption = new();
    private ProvisionerSettings? _ran;

    public void Dispose() => _interruption.Dispose();

    [Fact]
    public async Task Provisioner_DriverOnly_RunsWithTheDefaults()
    {
        var (exit, output) = await RunAsync(0, "provisioner", "--driver", "example.com/disk").WithTimeout();

        Assert.Equal(0, exit);
        Assert.Equal("", output);
        var settings = Assert.IsType<ProvisionerSettings>(_ran);
        Assert.Equal("example.com/disk", settings.Driver.QualifiedName);
        Assert.Equal(8080, settings.HealthPort);
        Assert.Equal(4, settings.Workers);
        Assert.Null(settings.Kubeconfig);
        Assert.Null(settings.LeaseNamespace);
        Assert.Null(settings.Identity);
    }

    [Fact]
    public async Task Provisioner_EveryOption_IsPassedOn()
    {
        var kubeconfig = Path.GetTempFileName();
        try
        {
            var (exit, _) = await RunAsync(
                0, "--config", "/etc/vd.yaml", "provisioner", "--driver", "example.com~disk", "--kubeconfig", kubeconfig,
                "--health-port", "0", "--lease-namespace", "storage", "--identity", "replica-a", "--workers", "9").WithTimeout();

            Assert.Equal(0, exit);
            Assert.Equal(new ProvisionerSettings("/etc/vd.yaml", false, _ran!.Driver, kubeconfig, 0, "storage", "replica-a", 9), _ran);
            Assert.Equal("example.com/disk", _ran.Driver.QualifiedName);
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }

    [Fact]
    public async Task Provisioner_ExitCodeOfTheRun_IsTheProcesssExitCode()
    {
        var (exit, output) = await RunAsync(1, "provisioner", "--driver", "example.com/disk").WithTimeout();

        Assert.Equal(1, exit);
        Assert.Equal("", output);
    }

    [Theory]
    [InlineData("--driver", "no-slash", "--driver")]
    [InlineData("--workers", "0", "--workers")]
    [InlineData("--health-port", "70000", "--health-port")]
    [InlineData("--lease-namespace", "Not_A_Namespace", "--lease-namespace")]
    [InlineData("--kubeconfig", "/nonexistent/kubeconfig", "--kubeconfig")]
    public async Task Provisioner_BadOption_IsOneFailureNamingIt(string option, string value, string named)
    {
        var args = new List<string> { "provisioner", "--driver", "example.com/disk" };
        if (option == "--driver")
        {
            args[2] = value;
        }
        else
        {
            args.AddRange([option, value]);
        }

        var (exit, output) = await RunAsync(0, [.. args]).WithTimeout();

        Assert.Equal(1, exit);
        Assert.Null(_ran);
        using var reply = JsonDocument.Parse(output);
        Assert.Equal("Failure", reply.RootElement.GetProperty("status").GetString());
        Assert.Contains(named, reply.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Provisioner_WithoutDriver_FailsNamingIt()
    {
        var (exit, output) = await RunAsync(0, "provisioner").WithTimeout();

        Assert.Equal(1, exit);
        Assert.Contains("--driver", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Provisioner_Help_DescribesEveryOption()
    {
        var (exit, output) = await RunAsync(0, "provisioner", "--help").WithTimeout();

        Assert.Equal(0, exit);
        foreach (var option in new[] { "--driver", "--kubeconfig", "--health-port", "--lease-namespace", "--identity", "--workers", "--config" })
        {
            Assert.Contains(option, output, StringComparison.Ordinal);
        }
    }

    private async Task<(int Exit, string Output)> RunAsync(int runExitCode, params string[] args)
    {
        using var stdout = new MemoryStream();
        var cli = new DriverCli(
            stdout,
            new ReplyWriter(stdout, indented: false),
            new StandardInput(() => throw new InvalidOperationException("stdin must not be read"), () => false),
            (_, _) => throw new InvalidOperationException("the provisioner composes its own services"),
            TimeProvider.System,
            TestOperatorServices.Create(),
            _interruption,
            (settings, _) =>
            {
                _ran = settings;
                return Task.FromResult(runExitCode);
            });
        var exit = await cli.RunAsync(args).WithTimeout();
        return (exit, Encoding.UTF8.GetString(stdout.ToArray()));
    }
}
