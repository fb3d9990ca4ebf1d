using System.Diagnostics;
using System.Text.Json;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Contract;

/// <summary>
/// What a careless or hostile caller can hand the driver (issues 13 and 17), through the published
/// binary: names with a trailing newline or past the loop backend's limit, image paths that are not
/// image files, sizes the filesystem cannot hold or the free space cannot back, secrets in options
/// and in URLs, FIFOs where files belong, a closed stdin, unusable directories and symlinked install
/// targets. Each answers a Failure that says what is wrong, at once, without leaking a secret.
/// </summary>
public sealed class InputHardeningTests
{
    private const string Node = LoopVolumeFixture.NodeName;
    private const string Driver = "example.com~volume-driver";

    [LifecycleFact]
    public async Task Attach_VolumeNameWithTrailingNewline_IsRefusedAndCreatesNothing()
    {
        await using var fixture = new LoopVolumeFixture();

        var failure = await fixture.ExpectAsync("Failure", "attach", LoopVolumeFixture.Options("nlvol\n", size: "16Mi"), Node).WithTimeout();

        Assert.Contains("is not a usable volume name", failure.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(fixture.ImageDirectory) && Directory.EnumerateFileSystemEntries(fixture.ImageDirectory).Any());
    }

    [LifecycleFact]
    public async Task Attach_NodeNameWithTrailingNewline_IsRefused()
    {
        await using var fixture = new LoopVolumeFixture();

        var failure = await fixture.ExpectAsync("Failure", "attach", LoopVolumeFixture.Options("nlnode", size: "16Mi"), Node + "\n").WithTimeout();

        Assert.Contains("node name", failure.Message, StringComparison.Ordinal);
        Assert.Contains("is not valid", failure.Message, StringComparison.Ordinal);
    }

    [LifecycleFact]
    public async Task Attach_NameOneLongerThanTheLoopLimit_FailsNamingTheLimit_AndTheLongestNameWorks()
    {
        await using var fixture = new LoopVolumeFixture();
        var longest = new string('a', 217);

        var failure = await fixture.ExpectAsync("Failure", "attach", LoopVolumeFixture.Options(longest + "b", size: "16Mi"), Node).WithTimeout();
        Assert.Contains("218 characters long; the loop backend takes names of at most 217 characters", failure.Message, StringComparison.Ordinal);

        var attached = await fixture.ExpectAsync("Success", "attach", LoopVolumeFixture.Options(longest, size: "16Mi"), Node).WithTimeout();
        Assert.StartsWith("/dev/loop", attached.Device, StringComparison.Ordinal);
        await fixture.ExpectAsync("Success", "detach", longest, Node).WithTimeout();
        await fixture.ExpectAsync("Success", "delete", longest).WithTimeout();
    }

    [LifecycleFact("mkfifo")]
    public async Task Attach_ImagePathThatIsADirectoryOrAFifo_FailsSayingSo()
    {
        await using var fixture = new LoopVolumeFixture();
        Directory.CreateDirectory(fixture.ImagePath("dirvol"));
        Directory.CreateDirectory(fixture.ImageDirectory);
        await LoopVolumeFixture.RunToolAsync("mkfifo", fixture.ImagePath("fifovol")).WithTimeout();

        var directory = await fixture.ExpectAsync("Failure", "attach", LoopVolumeFixture.Options("dirvol", size: "16Mi"), Node).WithTimeout();
        var fifo = await fixture.ExpectAsync("Failure", "attach", LoopVolumeFixture.Options("fifovol", size: "16Mi"), Node).WithTimeout();

        Assert.Contains("is a directory, not a regular file", directory.Message, StringComparison.Ordinal);
        Assert.Contains("is a FIFO (named pipe), not a regular file", fifo.Message, StringComparison.Ordinal);
    }

    [LifecycleFact]
    public async Task Attach_ImageThatIsASymlink_IsRefusedAndNothingIsAttached()
    {
        await using var fixture = new LoopVolumeFixture();
        Directory.CreateDirectory(fixture.ImageDirectory);
        var elsewhere = Path.Join(fixture.Root, "precious.img");
        await using (var file = File.Create(elsewhere))
        {
            file.SetLength(16 << 20);
        }

        File.CreateSymbolicLink(fixture.ImagePath("linkvol"), elsewhere);

        var failure = await fixture.ExpectAsync("Failure", "attach", LoopVolumeFixture.Options("linkvol", size: "16Mi"), Node).WithTimeout();

        Assert.Contains("is a symbolic link", failure.Message, StringComparison.Ordinal);
        var bound = Directory.EnumerateDirectories("/sys/block", "loop*")
            .Select(d => Path.Join(d, "loop", "backing_file"))
            .Where(File.Exists)
            .Any(f => File.ReadAllText(f).Trim() == elsewhere);
        Assert.False(bound, "the symlink's target was attached");
    }

    [LifecycleFact]
    public async Task Attach_SizeAboveWhatExt4Holds_FailsNamingTheLimit()
    {
        await using var fixture = new LoopVolumeFixture();
        var backing = Path.Join(fixture.Root, "ext4.img");
        await using (var file = File.Create(backing))
        {
            file.SetLength(64 << 20);
        }

        await LoopVolumeFixture.RunToolAsync("mkfs.ext4", "-q", "-F", "-b", "4096", backing).WithTimeout();
        var ext4 = fixture.Track(Path.Join(fixture.Root, "ext4"));
        Directory.CreateDirectory(ext4);
        await LoopVolumeFixture.RunToolAsync("mount", "-o", "loop", backing, ext4).WithTimeout();
        Assert.True(LoopVolumeFixture.IsMountPoint(ext4), "the test's ext4 filesystem did not mount");
        var config = WriteConfig(fixture, "ext4.yaml", loopDirectory: Path.Join(ext4, "images"), loopExtra: "  overcommit: 1000");

        var failure = await RunAsync(config, "attach", LoopVolumeFixture.Options("hugevol", size: "17Ti"), Node).WithTimeout();

        Assert.True(failure.Status.Status == "Failure", failure.Text);
        Assert.Contains("is on ext2/3/4, which holds files of at most 16 TiB", failure.Status.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", failure.Text, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Join(ext4, "images", "hugevol.img")));
    }

    [LifecycleFact]
    public async Task Attach_SizeAboveTheFreeSpace_IsRefusedWithTheNumbers_UnlessOvercommitAllowsIt()
    {
        await using var fixture = new LoopVolumeFixture();
        Directory.CreateDirectory(fixture.ImageDirectory);
        var free = new DriveInfo(fixture.ImageDirectory).AvailableFreeSpace;
        var gib = (free >> 30) + 2;
        var size = gib + "Gi";

        var refused = await fixture.ExpectAsync("Failure", "attach", LoopVolumeFixture.Options("bigvol", size: size), Node).WithTimeout();
        Assert.Contains("exceeds the free space of " + fixture.ImageDirectory, refused.Message, StringComparison.Ordinal);
        Assert.Contains("times loop.overcommit 1", refused.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(fixture.ImagePath("bigvol")));

        var config = WriteConfig(fixture, "overcommit.yaml", loopExtra: "  overcommit: 2");
        var allowed = await RunAsync(config, "attach", LoopVolumeFixture.Options("bigvol", size: size), Node).WithTimeout();
        Assert.True(allowed.Status.Status == "Success", allowed.Text);
        await RunAsync(config, "detach", "bigvol", Node).WithTimeout();

        var doctor = await RunAsync(config, "doctor", "--json", "--plugin-dir", fixture.Root, "--driver", Driver).WithTimeout();
        var overcommit = Checks(doctor)["overcommit"];
        Assert.Equal("ok", overcommit.Status);
        Assert.Contains("loop.overcommit is 2", overcommit.Detail, StringComparison.Ordinal);
    }

    [LifecycleFact]
    public async Task Verbs_LoopOrLockingDirectoryUnderProcOnAReadOnlyFilesystemOrAFile_FailNamingTheKey_AndDoctorFailsTheCheck()
    {
        await using var fixture = new LoopVolumeFixture();
        var aFile = Path.Join(fixture.Root, "a-file");
        await File.WriteAllTextAsync(aFile, "not a directory").WithTimeout();
        var readOnly = fixture.Track(Path.Join(fixture.Root, "read-only"));
        Directory.CreateDirectory(readOnly);
        await LoopVolumeFixture.RunToolAsync("mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", readOnly).WithTimeout();
        Assert.True(LoopVolumeFixture.IsMountPoint(readOnly), "the test's read-only tmpfs did not mount");

        foreach (var (key, directory) in new[]
        {
            ("loop.directory", "/proc/volume-driver-test"), ("loop.directory", aFile), ("loop.directory", Path.Join(readOnly, "images")),
            ("locking.directory", "/proc/volume-driver-test"), ("locking.directory", aFile), ("locking.directory", Path.Join(readOnly, "locks")),
        })
        {
            var config = WriteConfig(fixture, "bad-dir.yaml", loopDirectory: key == "loop.directory" ? directory : null, lockDirectory: key == "locking.directory" ? directory : null);

            var attach = await RunAsync(config, "attach", LoopVolumeFixture.Options("dirvol", size: "16Mi"), Node).WithTimeout();
            Assert.True(attach.Status.Status == "Failure", attach.Text);
            Assert.Contains($"{key} '{directory}' cannot be used", attach.Status.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("internal error", attach.Text, StringComparison.Ordinal);

            var doctor = await RunAsync(config, "doctor", "--json", "--plugin-dir", fixture.Root, "--driver", Driver).WithTimeout();
            var check = Checks(doctor)[key == "loop.directory" ? "loop directory" : "lock directory"];
            Assert.True(check.Status == "fail", doctor.Text);
        }
    }

    [LifecycleFact]
    public async Task Attach_OptionsWithABomOrJunkInFront_LogsOnlyTheirLengthAndHash()
    {
        await using var fixture = new LoopVolumeFixture();
        var options = LoopVolumeFixture.Options("bomvol", size: "16Mi", extra: "kubernetes.io/secret/password=" + TestSecrets.Base64(TestSecrets.Password));

        foreach (var prefix in new[] { "\uFEFF", "junk " })
        {
            var failure = await fixture.ExpectAsync("Failure", "attach", prefix + options, Node).WithTimeout();
            TestSecrets.AssertAbsentFrom(failure.Message ?? string.Empty, "the reply");
        }

        var log = await File.ReadAllTextAsync(fixture.LogFile).WithTimeout();
        Assert.Contains("characters of options that do not parse, sha256 ", log, StringComparison.Ordinal);
        TestSecrets.AssertAbsentFrom(log, "the log");
    }

    [LifecycleFact]
    public async Task Detach_OptionsJsonWhereTheVolumeNameBelongs_NeverEchoesTheSecret()
    {
        await using var fixture = new LoopVolumeFixture();
        var options = LoopVolumeFixture.Options("x", size: null, extra: "kubernetes.io/secret/password=" + TestSecrets.Password);

        var run = await fixture.RunAsync("detach", options, Node).WithTimeout();

        Assert.Equal("Failure", run.Status.Status);
        TestSecrets.AssertAbsentFrom(run.Text, "the reply");
        TestSecrets.AssertAbsentFrom(await File.ReadAllTextAsync(fixture.LogFile).WithTimeout(), "the log");
    }

    [ContractFact]
    public async Task Verbs_PasswordAsUserinfoInVCloudHostOrEtcdEndpoint_FailNamingTheKeyNotTheValue()
    {
        var directory = Directory.CreateTempSubdirectory("vd-userinfo-").FullName;
        try
        {
            var vcloud = Path.Join(directory, "vcloud.yaml");
            await File.WriteAllTextAsync(vcloud, $"""
                backend: vcloud
                nodeName: {Node}
                vcloud:
                  host: https://admin:{TestSecrets.ConfigValue}@vcd.example.com
                  org: org
                  vdc: vdc
                  username: admin
                  password: other
                log:
                  file: {Path.Join(directory, "driver.log")}
                """).WithTimeout();
            var etcd = Path.Join(directory, "etcd.yaml");
            await File.WriteAllTextAsync(etcd, $"""
                backend: loop
                nodeName: {Node}
                loop:
                  directory: {Path.Join(directory, "images")}
                locking:
                  etcd:
                    endpoints: http://root:{TestSecrets.ConfigValue}@127.0.0.1:2379
                log:
                  file: {Path.Join(directory, "driver.log")}
                """).WithTimeout();

            foreach (var (config, key) in new[] { (vcloud, "vcloud.host"), (etcd, "locking.etcd.endpoints") })
            {
                var run = await RunAsync(config, "attach", LoopVolumeFixture.Options("vol", size: "16Mi"), Node).WithTimeout();
                Assert.True(run.Status.Status == "Failure", run.Text);
                Assert.Contains($"key '{key}'", run.Status.Message, StringComparison.Ordinal);
                Assert.Contains("user name or password", run.Status.Message, StringComparison.Ordinal);
                TestSecrets.AssertAbsentFrom(run.Text, "the reply");
            }

            TestSecrets.AssertAbsentFrom(string.Join('\n', Directory.EnumerateFiles(directory, "*.log").Select(File.ReadAllText)), "the log");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [LifecycleFact("mkfifo")]
    public async Task Verbs_ConfigurationOrAzureJsonThatIsAFifo_FailAtOnce()
    {
        await using var fixture = new LoopVolumeFixture();
        var fifo = Path.Join(fixture.Root, "fifo");
        await LoopVolumeFixture.RunToolAsync("mkfifo", fifo).WithTimeout();
        var azure = Path.Join(fixture.Root, "azure.yaml");
        await File.WriteAllTextAsync(azure, $"""
            backend: azure
            nodeName: {Node}
            azure:
              cloudConfig: {fifo}
            log:
              file: {fixture.LogFile}
            """).WithTimeout();

        var config = await KubeletExec.RunAsync(["attach", LoopVolumeFixture.Options("vol", size: "16Mi"), Node], new Dictionary<string, string> { ["VOLUME_DRIVER_CONFIG"] = fifo }, timeout: TimeSpan.FromSeconds(30)).WithTimeout();
        var azureJson = await RunAsync(azure, "attach", LoopVolumeFixture.Options("vol", size: "16Mi"), Node).WithTimeout();

        Assert.True(config.Status.Status == "Failure", config.Text);
        Assert.Contains("is a FIFO (named pipe), not a regular file", config.Status.Message, StringComparison.Ordinal);
        Assert.True(azureJson.Status.Status == "Failure", azureJson.Text);
        Assert.Contains("is a FIFO (named pipe), not a regular file", azureJson.Status.Message, StringComparison.Ordinal);
    }

    [LifecycleFact]
    public async Task Attach_JsonFromStdinWithStdinClosed_FailsAtOnceSayingSo()
    {
        await using var fixture = new LoopVolumeFixture();
        var binary = DriverBinary.Path!;
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/" };
        foreach (var arg in new[] { "-c", "exec \"$0\" \"$@\" <&- 2>&1", binary, "attach", "-", Node })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Clear();
        start.Environment["PATH"] = KubeletExec.SystemdPath;
        start.Environment["VOLUME_DRIVER_CONFIG"] = fixture.ConfigFile;
        using var process = Process.Start(start)!;
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var output = await process.StandardOutput.ReadToEndAsync(limit.Token).WithTimeout();
        await process.WaitForExitAsync(limit.Token).WithTimeout();

        var reply = GoDriverStatus.Parse(System.Text.Encoding.UTF8.GetBytes(output));
        Assert.True(reply.Status == "Failure", output);
        Assert.Contains("stdin is closed", reply.Message, StringComparison.Ordinal);
    }

    [ContractFact]
    public async Task Install_DriverDirectoryOrExecutableThatIsASymlink_IsRefusedAndTheLinkedFileKept()
    {
        var root = Directory.CreateTempSubdirectory("vd-install-link-").FullName;
        try
        {
            var plugins = Path.Join(root, "plugins");
            var elsewhere = Path.Join(root, "elsewhere");
            Directory.CreateDirectory(plugins);
            Directory.CreateDirectory(elsewhere);
            var precious = Path.Join(elsewhere, "volume-driver");
            await File.WriteAllTextAsync(precious, "precious").WithTimeout();
            Directory.CreateSymbolicLink(Path.Join(plugins, Driver), elsewhere);

            var linkedDirectory = await KubeletExec.RunAsync(["install", "--plugin-dir", plugins, "--driver", Driver]).WithTimeout();

            Assert.True(linkedDirectory.Status.Status == "Failure", linkedDirectory.Text);
            Assert.Contains("is a symbolic link", linkedDirectory.Status.Message, StringComparison.Ordinal);
            Assert.Equal("precious", await File.ReadAllTextAsync(precious).WithTimeout());

            File.Delete(Path.Join(plugins, Driver));
            Directory.CreateDirectory(Path.Join(plugins, Driver));
            File.CreateSymbolicLink(Path.Join(plugins, Driver, "volume-driver"), precious);

            var linkedExecutable = await KubeletExec.RunAsync(["install", "--plugin-dir", plugins, "--driver", Driver]).WithTimeout();

            Assert.True(linkedExecutable.Status.Status == "Failure", linkedExecutable.Text);
            Assert.Contains("is a symbolic link", linkedExecutable.Status.Message, StringComparison.Ordinal);
            Assert.Equal("precious", await File.ReadAllTextAsync(precious).WithTimeout());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [ContractFact]
    public async Task Install_EmptyPluginDir_FailsSayingSo()
    {
        var run = await KubeletExec.RunAsync(["install", "--plugin-dir", "", "--driver", Driver]).WithTimeout();

        Assert.True(run.Status.Status == "Failure", run.Text);
        Assert.Contains("--plugin-dir is empty", run.Status.Message, StringComparison.Ordinal);
    }

    private static Task<DriverRun> RunAsync(string config, params string[] args) =>
        KubeletExec.RunAsync(args, new Dictionary<string, string> { ["VOLUME_DRIVER_CONFIG"] = config }, timeout: TimeSpan.FromSeconds(60));

    /// <summary>The fixture's configuration with some settings changed, in a file of its own.</summary>
    private static string WriteConfig(LoopVolumeFixture fixture, string name, string? loopDirectory = null, string? lockDirectory = null, string? loopExtra = null)
    {
        var path = Path.Join(fixture.Root, name);
        File.WriteAllText(path, $"""
            backend: loop
            nodeName: {Node}
            loop:
              directory: {loopDirectory ?? fixture.ImageDirectory}
            {loopExtra}
            log:
              file: {fixture.LogFile}
            locking:
              directory: {lockDirectory ?? Path.Join(fixture.Root, "locks")}
              timeout: 60s
            """);
        return path;
    }

    private static Dictionary<string, (string Status, string Detail)> Checks(DriverRun doctor)
    {
        using var report = JsonDocument.Parse(doctor.Combined);
        return report.RootElement.GetProperty("checks").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => (c.GetProperty("status").GetString()!, c.GetProperty("detail").GetString()!));
    }
}
