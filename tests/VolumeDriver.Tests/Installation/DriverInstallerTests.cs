using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Installation;
using VolumeDriver.Tests.Configuration;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Installation;

public sealed class DriverInstallerTests : IDisposable
{
    private readonly TempConfigDirectory _temp = new();
    private readonly string _executable;
    private readonly string _pluginDirectory;
    private readonly FlexDriverName _driver;

    public DriverInstallerTests()
    {
        _executable = _temp.Write("build/volume-driver", "#!/bin/sh\necho version 1\n");
        _pluginDirectory = _temp.PathOf("plugins");
        Assert.True(FlexDriverName.TryParse("example.com~volume-driver", out var driver, out _));
        _driver = driver.Value;
    }

    private string Target => Path.Join(_pluginDirectory, "example.com~volume-driver", "volume-driver");

    [Fact]
    public async Task InstallAsync_FreshDirectory_CreatesExecutableWithMode0755AndNoTemporaryFile()
    {
        var report = await Installer().InstallAsync(Request(), CancellationToken.None).WithTimeout();

        Assert.Equal(InstallChange.Created, report.Executable.Change);
        Assert.Equal(Target, report.Executable.Path);
        Assert.Equal(File.ReadAllBytes(_executable), File.ReadAllBytes(Target));
        Assert.Equal(DriverInstaller.ExecutableMode, File.GetUnixFileMode(Target));
        Assert.Equal(["volume-driver"], Directory.GetFileSystemEntries(Path.GetDirectoryName(Target)!).Select(Path.GetFileName));
        Assert.Null(report.Configuration);
    }

    [Fact]
    public async Task InstallAsync_SecondRun_ReportsUnchangedAndKeepsTheFile()
    {
        await Installer().InstallAsync(Request(), CancellationToken.None).WithTimeout();
        var inode = new FileInfo(Target).LastWriteTimeUtc;

        var report = await Installer().InstallAsync(Request(), CancellationToken.None).WithTimeout();

        Assert.Equal(InstallChange.Unchanged, report.Executable.Change);
        Assert.Contains("unchanged", report.Describe(), StringComparison.Ordinal);
        Assert.Equal(inode, new FileInfo(Target).LastWriteTimeUtc);
    }

    [Fact]
    public async Task InstallAsync_DifferentBinary_ReplacesIt()
    {
        await Installer().InstallAsync(Request(), CancellationToken.None).WithTimeout();
        var newer = _temp.Write("build2/volume-driver", "#!/bin/sh\necho version 2 is longer\n");

        var report = await new DriverInstaller(newer, TestOperatorServices.IsolatedLoader()).InstallAsync(Request(), CancellationToken.None).WithTimeout();

        Assert.Equal(InstallChange.Replaced, report.Executable.Change);
        Assert.Equal(File.ReadAllBytes(newer), File.ReadAllBytes(Target));
        Assert.Equal(DriverInstaller.ExecutableMode, File.GetUnixFileMode(Target));
        Assert.Single(Directory.GetFileSystemEntries(Path.GetDirectoryName(Target)!));
    }

    [Fact]
    public async Task InstallAsync_SameBytesWrongMode_FixesTheMode()
    {
        await Installer().InstallAsync(Request(), CancellationToken.None).WithTimeout();
        File.SetUnixFileMode(Target, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var report = await Installer().InstallAsync(Request(), CancellationToken.None).WithTimeout();

        Assert.Equal(InstallChange.Replaced, report.Executable.Change);
        Assert.Equal(DriverInstaller.ExecutableMode, File.GetUnixFileMode(Target));
    }

    [Fact]
    public async Task InstallAsync_ValidConfig_InstallsItWithMode0600()
    {
        var config = _temp.Write("config.yaml", "backend: loop\nnodeName: node-1\n");
        var destination = _temp.PathOf("etc/volume-driver/config.yaml");

        var report = await Installer().InstallAsync(Request(config, destination), CancellationToken.None).WithTimeout();

        Assert.NotNull(report.Configuration);
        Assert.Equal(InstallChange.Created, report.Configuration.Change);
        Assert.Equal(File.ReadAllText(config), File.ReadAllText(destination));
        Assert.Equal(DriverInstaller.ConfigurationMode, File.GetUnixFileMode(destination));
        Assert.Single(Directory.GetFileSystemEntries(Path.GetDirectoryName(destination)!));

        var again = await Installer().InstallAsync(Request(config, destination), CancellationToken.None).WithTimeout();
        Assert.Equal(InstallChange.Unchanged, again.Configuration!.Change);
    }

    [Fact]
    public async Task InstallAsync_InvalidConfig_IsRefusedAndInstallsNothing()
    {
        var config = _temp.Write("config.yaml", "backend: loop\nloop:\n  directroy: /tmp/x\n");
        var destination = _temp.PathOf("etc/volume-driver/config.yaml");

        var error = await Assert.ThrowsAsync<ConfigurationException>(() => Installer().InstallAsync(Request(config, destination), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Contains("loop.directroy", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Target));
        Assert.False(File.Exists(destination));
    }

    [Fact]
    public async Task InstallAsync_UnknownExecutable_IsRefused()
    {
        var installer = new DriverInstaller(null, TestOperatorServices.IsolatedLoader());
        await Assert.ThrowsAsync<InstallationException>(() => installer.InstallAsync(Request(), CancellationToken.None).WithTimeout()).WithTimeout();
        Assert.False(Directory.Exists(_pluginDirectory));
    }

    [Fact]
    public async Task InstallAsync_DotnetHost_IsRefused()
    {
        var host = _temp.Write("dotnet/dotnet", "not the driver");
        var installer = new DriverInstaller(host, TestOperatorServices.IsolatedLoader());
        var error = await Assert.ThrowsAsync<InstallationException>(() => installer.InstallAsync(Request(), CancellationToken.None).WithTimeout()).WithTimeout();
        Assert.Contains(".NET host", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();

    private DriverInstaller Installer() => new(_executable, TestOperatorServices.IsolatedLoader());

    private InstallRequest Request(string? config = null, string? destination = null) =>
        new(_pluginDirectory, _driver, config, destination ?? _temp.PathOf("etc/config.yaml"));
}
