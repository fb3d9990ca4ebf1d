using System.Text;
using VolumeDriver.Configuration;
using VolumeDriver.Errors;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Configuration;

public sealed class ConfigurationLoaderTests : IDisposable
{
    private const string FullFile = """
        # Every key, none at its default.
        backend: loop
        nodeName: node-1.example.internal
        loop:
          directory: /srv/loop-images
        log:
          file: /var/log/custom/driver.log
          level: Debug
        locking:
          directory: /run/custom-locks
          timeout: 90s
        node:
          deviceTimeout: 500ms
          commandTimeout: 1h
          allowSuidAndDevices: true
        """;

    private readonly TempConfigDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task LoadAsync_NoFileAnywhere_ReturnsDefaults()
    {
        var configuration = await CreateLoader().LoadAsync(null, CancellationToken.None).WithTimeout();

        Assert.Equal(DriverConfiguration.Defaults, configuration);
        Assert.Null(configuration.SourceFile);
    }

    [Fact]
    public async Task LoadAsync_FullFile_ReadsEveryKey()
    {
        var path = _temp.Write("full.yaml", FullFile);

        var configuration = await CreateLoader().LoadAsync(path, CancellationToken.None).WithTimeout();

        var expected = new DriverConfiguration(
            SourceFile: path,
            Backend: BackendKind.Loop,
            NodeName: "node-1.example.internal",
            Loop: new LoopConfiguration("/srv/loop-images"),
            Log: new LogConfiguration("/var/log/custom/driver.log", LogLevelSetting.Debug),
            Locking: new LockConfiguration("/run/custom-locks", TimeSpan.FromSeconds(90)),
            Node: new NodeConfiguration(TimeSpan.FromMilliseconds(500), TimeSpan.FromHours(1), AllowSuidAndDevices: true));
        Assert.Equal(expected, configuration);
    }

    [Fact]
    public async Task LoadAsync_ExampleFileOfTheRepository_EqualsDefaults()
    {
        var example = Path.Join(FindRepositoryRoot(), "config", "config.yaml");

        var configuration = await CreateLoader().LoadAsync(example, CancellationToken.None).WithTimeout();

        Assert.Equal(DriverConfiguration.Defaults with { SourceFile = example }, configuration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n\n# and another\n")]
    [InlineData("---\n")]
    [InlineData("~\n")]
    public async Task LoadAsync_EmptyOrCommentsOnly_ReturnsDefaultsWithSourceFile(string content)
    {
        var path = _temp.Write("empty.yaml", content);

        var configuration = await CreateLoader().LoadAsync(path, CancellationToken.None).WithTimeout();

        Assert.Equal(DriverConfiguration.Defaults with { SourceFile = path }, configuration);
    }

    [Fact]
    public async Task LoadAsync_SomeKeysMissing_UsesDefaultsForTheRest()
    {
        var path = _temp.Write("partial.yaml", "locking:\n  timeout: 30\nlog:\nnode:\n  commandTimeout: ~\n");

        var configuration = await CreateLoader().LoadAsync(path, CancellationToken.None).WithTimeout();

        var defaults = DriverConfiguration.Defaults;
        Assert.Equal(
            defaults with { SourceFile = path, Locking = defaults.Locking with { Timeout = TimeSpan.FromSeconds(30) } },
            configuration);
    }

    [Fact]
    public async Task LoadAsync_TaggedKeyAndQuotedValue_AreRead()
    {
        var path = _temp.Write("tagged.yaml", "!!str nodeName: 'tagged-key'\n\"log\":\n  \"level\": \"debug\"\n");

        var configuration = await CreateLoader().LoadAsync(path, CancellationToken.None).WithTimeout();

        Assert.Equal("tagged-key", configuration.NodeName);
        Assert.Equal(LogLevelSetting.Debug, configuration.Log.Level);
    }

    [Theory]
    [InlineData("information", "Information")]
    [InlineData("VERBOSE", "Verbose")]
    [InlineData("Warning", "Warning")]
    [InlineData("error", "Error")]
    [InlineData("fatal", "Fatal")]
    public async Task LoadAsync_LogLevelInAnyCase_IsAccepted(string text, string expected)
    {
        var path = _temp.Write("level.yaml", $"log:\n  level: {text}\n");

        var configuration = await CreateLoader().LoadAsync(path, CancellationToken.None).WithTimeout();

        Assert.Equal(Enum.Parse<LogLevelSetting>(expected), configuration.Log.Level);
    }

    [Theory]
    [InlineData("90s", 90_000)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("500ms", 500)]
    [InlineData("45", 45_000)]
    [InlineData("24h", 86_400_000)]
    [InlineData("86400", 86_400_000)]
    [InlineData("1440m", 86_400_000)]
    [InlineData("\"30s\"", 30_000)]
    public async Task LoadAsync_Durations_AreParsed(string text, long expectedMilliseconds)
    {
        var path = _temp.Write("duration.yaml", $"node:\n  deviceTimeout: {text}\n");

        var configuration = await CreateLoader().LoadAsync(path, CancellationToken.None).WithTimeout();

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), configuration.Node.DeviceTimeout);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0s")]
    [InlineData("-5s")]
    [InlineData("25h")]
    [InlineData("86401")]
    [InlineData("1.5m")]
    [InlineData("2 m")]
    [InlineData("2M")]
    [InlineData("1h30m")]
    [InlineData("s")]
    [InlineData("2d")]
    [InlineData("99999999999999999999999")]
    [InlineData("''")]
    public async Task LoadAsync_BadDuration_ThrowsNamingTheKeyAndTheRule(string text)
    {
        var path = _temp.Write("duration.yaml", $"locking:\n  timeout: {text}\n");

        var e = await LoadFailsAsync(path).WithTimeout();

        Assert.Equal("locking.timeout", e.Key);
        Assert.Equal(path, e.File);
        Assert.Contains("'locking.timeout'", e.Message);
        Assert.Contains(path, e.Message);
        Assert.Contains("at most 24h", e.Message);
        Assert.Contains("line 2", e.Message);
    }

    [Theory]
    [InlineData("backend: vcloud\n", "vcloud.host", "the vcloud backend needs it")]
    [InlineData("backend: nfs\n", "backend", "Allowed: loop")]
    [InlineData("nodeName: -bad-\n", "nodeName", "DNS subdomain")]
    [InlineData("nodeName: node_1\n", "nodeName", "DNS subdomain")]
    [InlineData("loop:\n  directory: relative/dir\n", "loop.directory", "not an absolute path")]
    [InlineData("loop:\n  directory: /var/lib/../etc\n", "loop.directory", "'..'")]
    [InlineData("log:\n  file: var/log/x.log\n", "log.file", "not an absolute path")]
    [InlineData("log:\n  file: /var/log/\n", "log.file", "names a directory")]
    [InlineData("log:\n  level: info\n", "log.level", "verbose, debug, information, warning, error, fatal")]
    [InlineData("log:\n  level: 2\n", "log.level", "not a log level")]
    [InlineData("locking:\n  directory: locks\n", "locking.directory", "not an absolute path")]
    [InlineData("node:\n  commandTimeout: forever\n", "node.commandTimeout", "not an allowed duration")]
    [InlineData("loop:\n  overcommit: 0\n", "loop.overcommit", "not an overcommit ratio")]
    [InlineData("loop:\n  overcommit: -2\n", "loop.overcommit", "above 0 and at most 1000")]
    [InlineData("loop:\n  overcommit: 1e9\n", "loop.overcommit", "above 0 and at most 1000")]
    [InlineData("vcloud:\n  host: https://admin:PASSWORD@vcd.example.com\n  password: x\n", "vcloud.host", "user name or password")]
    [InlineData("locking:\n  etcd:\n    endpoints: http://root:PASSWORD@127.0.0.1:2379\n", "locking.etcd.endpoints", "user name or password")]
    [InlineData("locking:\n  etcd:\n    host: root:PASSWORD@127.0.0.1\n", "locking.etcd.host", "user name or password")]
    public async Task LoadAsync_BadValue_ThrowsNamingTheKeyAndWhatIsAllowed(string content, string key, string expected)
    {
        var path = _temp.Write("bad.yaml", content);

        var e = await LoadFailsAsync(path).WithTimeout();

        Assert.Equal(key, e.Key);
        Assert.Contains($"'{key}'", e.Message);
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain("PASSWORD", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_Overcommit_IsReadAndDefaultsToOne()
    {
        var set = await CreateLoader().LoadAsync(_temp.Write("o.yaml", "loop:\n  overcommit: 2.5\n"), CancellationToken.None).WithTimeout();

        Assert.Equal(2.5, set.Loop.Overcommit);
        Assert.Equal(1, DriverConfiguration.Defaults.Loop.Overcommit);
    }

    [Theory]
    [InlineData("colour: blue\n", "colour", "backend, nodeName, loop, azure, vcloud, log, locking, node")]
    [InlineData("loop:\n  directory: /x\n  size: 10G\n", "loop.size", "directory")]
    [InlineData("log:\n  path: /x.log\n", "log.path", "file, level")]
    [InlineData("locking:\n  timeOut: 2m\n", "locking.timeOut", "did you mean 'locking.timeout'")]
    [InlineData("node:\n  retries: 3\n", "node.retries", "deviceTimeout, commandTimeout")]
    [InlineData("Backend: loop\n", "Backend", "did you mean 'backend'")]
    public async Task LoadAsync_UnknownKey_ThrowsNamingTheKeyAndTheAllowedKeys(string content, string key, string expected)
    {
        var path = _temp.Write("unknown.yaml", content);

        var e = await LoadFailsAsync(path).WithTimeout();

        Assert.Equal(key, e.Key);
        Assert.Contains($"Unknown key '{key}'", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("backend:\n  - loop\n", "backend", "not a sequence (list)")]
    [InlineData("nodeName: {a: b}\n", "nodeName", "not a mapping")]
    [InlineData("locking:\n  timeout: [1, 2]\n", "locking.timeout", "not a sequence (list)")]
    [InlineData("loop: /var/lib/loop\n", "loop", "must be a mapping of keys (directory, overcommit)")]
    [InlineData("log:\n  - file\n", "log", "must be a mapping of keys (file, level)")]
    public async Task LoadAsync_WrongNodeKind_ThrowsNamingTheKey(string content, string key, string expected)
    {
        var path = _temp.Write("kind.yaml", content);

        var e = await LoadFailsAsync(path).WithTimeout();

        Assert.Equal(key, e.Key);
        Assert.Contains($"'{key}'", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("- loop\n- azure\n")]
    [InlineData("just a sentence\n")]
    public async Task LoadAsync_TopLevelNotAMapping_Throws(string content)
    {
        var path = _temp.Write("top.yaml", content);

        var e = await LoadFailsAsync(path).WithTimeout();

        Assert.Null(e.Key);
        Assert.Contains("top level of the file must be a mapping", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Theory]
    [InlineData("backend: loop\nlocking:\n  timeout: 2m: 3\n", 3)]
    [InlineData("backend: loop\nlocking:\n  timeout: [2m\n", 4)]
    [InlineData("backend: loop\nbackend: loop\n", 2)]
    [InlineData("log:\n  file: /a\n level: debug\n", 3)]
    public async Task LoadAsync_InvalidYaml_ThrowsWithLineAndColumn(string content, int line)
    {
        var path = _temp.Write("invalid.yaml", content);

        var e = await LoadFailsAsync(path).WithTimeout();

        Assert.Null(e.Key);
        Assert.Contains("is not valid YAML", e.Message);
        Assert.Contains($"line {line}, column ", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public async Task LoadAsync_TwoDocuments_Throws()
    {
        var path = _temp.Write("two.yaml", "backend: loop\n---\nbackend: loop\n");

        var e = await LoadFailsAsync(path).WithTimeout();

        Assert.Contains("holds 2 YAML documents", e.Message);
    }

    [Fact]
    public async Task LoadAsync_SecretUnderUnknownKey_IsNotEchoed()
    {
        const string Secret = TestSupport.TestSecrets.ConfigValue;
        var path = _temp.Write(
            "secret.yaml",
            $"backend: loop\naadClientSecret: {Secret}\n");

        var e = await LoadFailsAsync(path).WithTimeout();

        Assert.Equal("aadClientSecret", e.Key);
        Assert.DoesNotContain(Secret, e.Message);
        Assert.DoesNotContain("s3cr3t", e.ToString());
    }

    [Fact]
    public async Task LoadAsync_SecretInsideUnknownSection_IsNotEchoed()
    {
        const string Secret = "Zq8vYk2LmN0pRt5W-not-for-logs";
        var path = _temp.Write(
            "secret.yaml",
            $"azure:\n  tenantId: t\n  aadClientSecret: \"{Secret}\"\n");

        var e = await LoadFailsAsync(path).WithTimeout();

        Assert.Equal("azure.tenantId", e.Key);
        Assert.DoesNotContain(Secret, e.Message);
    }

    [Fact]
    public async Task LoadAsync_LongValueOfKnownKey_IsShortenedInTheMessage()
    {
        var longValue = new string('x', 200);
        var path = _temp.Write("long.yaml", $"backend: {longValue}\n");

        var e = await LoadFailsAsync(path).WithTimeout();

        Assert.Equal("backend", e.Key);
        Assert.DoesNotContain(longValue, e.Message);
        Assert.Contains("…", e.Message);
    }

    [Fact]
    public async Task LoadAsync_MissingExplicitFile_ThrowsNamingThePath()
    {
        var path = _temp.PathOf("absent.yaml");

        var e = await LoadFailsAsync(path).WithTimeout();

        Assert.Equal(path, e.File);
        Assert.Contains(path, e.Message);
        Assert.Contains("--config", e.Message);
    }

    [Fact]
    public void ReadFile_Directory_ThrowsCannotBeRead()
    {
        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.ReadFile(_temp.Path));

        Assert.Equal(_temp.Path, e.File);
        Assert.Contains("cannot be read", e.Message);
        Assert.Contains("a directory, not a regular file", e.Message);
    }

    [LinuxRootFact("mkfifo")]
    public async Task ReadFile_Fifo_ThrowsNotARegularFileAtOnce()
    {
        var path = _temp.PathOf("fifo.yaml");
        File.Delete(path);
        await Contract.LoopVolumeFixture.RunToolAsync("mkfifo", path).WithTimeout();

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.ReadFile(path));

        Assert.Contains("a FIFO (named pipe), not a regular file", e.Message);
    }

    [Fact]
    public void ReadFile_FileVanished_ThrowsCannotBeRead()
    {
        var path = _temp.PathOf("gone.yaml");

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.ReadFile(path));

        Assert.Equal(path, e.File);
        Assert.Contains("cannot be read", e.Message);
    }

    [Fact]
    public async Task LoadAsync_NotUtf8_Throws()
    {
        var path = _temp.PathOf("latin1.yaml");
        await File.WriteAllBytesAsync(path, [.. "nodeName: caf"u8, 0xE9, (byte)'\n']).WithTimeout();

        var e = await LoadFailsAsync(path).WithTimeout();

        Assert.Contains("not UTF-8", e.Message);
    }

    [Fact]
    public async Task LoadAsync_Utf8WithByteOrderMark_IsAccepted()
    {
        var path = _temp.PathOf("bom.yaml");
        await File.WriteAllTextAsync(path, "nodeName: node-2\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: true)).WithTimeout();

        var configuration = await CreateLoader().LoadAsync(path, CancellationToken.None).WithTimeout();

        Assert.Equal("node-2", configuration.NodeName);
    }

    [Fact]
    public async Task LoadAsync_HugeFile_Throws()
    {
        var path = _temp.Write("huge.yaml", "# " + new string('x', ConfigurationLoader.MaxFileBytes) + "\n");

        var e = await LoadFailsAsync(path).WithTimeout();

        Assert.Contains("larger than", e.Message);
    }

    [Fact]
    public async Task LoadAsync_FromEnvironmentVariable_ReadsThatFile()
    {
        var path = _temp.Write("env.yaml", "nodeName: from-env\n");
        var loader = new ConfigurationLoader(new ConfigurationLocator(
            name => name == ConfigurationKeys.EnvironmentVariable ? path : null,
            _temp.PathOf("exe"),
            _temp.PathOf("etc/config.yaml")));

        var configuration = await loader.LoadAsync(null, CancellationToken.None).WithTimeout();

        Assert.Equal(path, configuration.SourceFile);
        Assert.Equal("from-env", configuration.NodeName);
    }

    private ConfigurationLoader CreateLoader() =>
        new(new ConfigurationLocator(_ => null, _temp.PathOf("exe"), _temp.PathOf("etc/config.yaml")));

    private async Task<ConfigurationException> LoadFailsAsync(string path) =>
        await Assert.ThrowsAsync<ConfigurationException>(
            () => CreateLoader().LoadAsync(path, CancellationToken.None).WithTimeout()).WithTimeout();

    internal static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Join(directory.FullName, "VolumeDriver.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("VolumeDriver.sln not found above " + AppContext.BaseDirectory);
    }
}
