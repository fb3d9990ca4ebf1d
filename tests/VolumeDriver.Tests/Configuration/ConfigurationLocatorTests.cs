using VolumeDriver.Configuration;
using VolumeDriver.Errors;

namespace VolumeDriver.Tests.Configuration;

public sealed class ConfigurationLocatorTests : IDisposable
{
    private readonly TempConfigDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Locate_AllFourPresent_ExplicitWins()
    {
        var paths = WriteAllFour();

        var located = CreateLocator(paths.Environment).Locate(paths.Explicit);

        Assert.Equal(paths.Explicit, located);
    }

    [Fact]
    public void Locate_NoExplicit_EnvironmentWins()
    {
        var paths = WriteAllFour();

        var located = CreateLocator(paths.Environment).Locate(null);

        Assert.Equal(paths.Environment, located);
    }

    [Fact]
    public void Locate_NoExplicitNoEnvironment_BesideExecutableWins()
    {
        var paths = WriteAllFour();

        var located = CreateLocator(null).Locate(null);

        Assert.Equal(paths.BesideExecutable, located);
    }

    [Fact]
    public void Locate_OnlySystemFile_ReturnsSystemFile()
    {
        var system = _temp.Write("etc/volume-driver/config.yaml", "backend: loop\n");

        var located = CreateLocator(null).Locate(null);

        Assert.Equal(system, located);
    }

    [Fact]
    public void Locate_NothingAnywhere_ReturnsNull()
    {
        Assert.Null(CreateLocator(null).Locate(null));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Locate_EnvironmentVariableEmpty_IsIgnored(string value)
    {
        var paths = WriteAllFour();

        var located = CreateLocator(value).Locate(null);

        Assert.Equal(paths.BesideExecutable, located);
    }

    [Fact]
    public void Locate_ExplicitFileMissing_ThrowsNamingThePath()
    {
        WriteAllFour();
        var missing = _temp.PathOf("nowhere/config.yaml");

        var e = Assert.Throws<ConfigurationException>(() => CreateLocator(null).Locate(missing));

        Assert.Equal(missing, e.File);
        Assert.Null(e.Key);
        Assert.Contains($"'{missing}'", e.Message);
        Assert.Contains("--config", e.Message);
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public void Locate_ExplicitPathIsADirectory_Throws()
    {
        var e = Assert.Throws<ConfigurationException>(() => CreateLocator(null).Locate(_temp.Path));

        Assert.Contains("is a directory", e.Message);
    }

    [Fact]
    public void Locate_ExplicitPathEmpty_Throws()
    {
        var e = Assert.Throws<ConfigurationException>(() => CreateLocator(null).Locate(""));

        Assert.Contains("--config", e.Message);
    }

    [Fact]
    public void Locate_EnvironmentFileMissing_ThrowsNamingTheVariable()
    {
        WriteAllFour();
        var missing = _temp.PathOf("nowhere/env.yaml");

        var e = Assert.Throws<ConfigurationException>(() => CreateLocator(missing).Locate(null));

        Assert.Equal(missing, e.File);
        Assert.Contains($"'{missing}'", e.Message);
        Assert.Contains("$VOLUME_DRIVER_CONFIG", e.Message);
    }

    [Fact]
    public void Locate_RelativeExplicitPath_ReturnsFullPath()
    {
        var path = _temp.Write("relative.yaml", "backend: loop\n");
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, path);

        var located = CreateLocator(null).Locate(relative);

        Assert.Equal(path, located);
    }

    [Fact]
    public void ForCurrentProcess_Always_ComposesALocator()
    {
        // Only proves the production wiring composes; the result depends on the machine.
        var locator = ConfigurationLocator.ForCurrentProcess();

        Assert.NotNull(locator);
    }

    private ConfigurationLocator CreateLocator(string? environmentValue) =>
        new(
            name => name == ConfigurationKeys.EnvironmentVariable ? environmentValue : null,
            _temp.PathOf("bin"),
            _temp.PathOf("etc/volume-driver/config.yaml"));

    private (string Explicit, string Environment, string BesideExecutable, string System) WriteAllFour() => (
        _temp.Write("explicit/config.yaml", "nodeName: explicit\n"),
        _temp.Write("env/config.yaml", "nodeName: env\n"),
        _temp.Write("bin/config.yaml", "nodeName: beside\n"),
        _temp.Write("etc/volume-driver/config.yaml", "nodeName: system\n"));
}
