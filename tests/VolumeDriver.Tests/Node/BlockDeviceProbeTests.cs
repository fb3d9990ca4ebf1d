using VolumeDriver.Configuration;
using VolumeDriver.Errors;
using VolumeDriver.Node;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Node;

public sealed class BlockDeviceProbeTests
{
    private const string Device = "/dev/loop3";

    internal const string Ext4Export = "DEVNAME=/dev/loop3\nUUID=5c1f0e4e-5b0e-4d59-8c0b-1f3f0b3c2a11\nVERSION=1.0\nBLOCK_SIZE=1024\nTYPE=ext4\nUSAGE=filesystem\n";
    internal const string XfsExport = "DEVNAME=/dev/loop3\nUUID=0e5e8a7a-0f46-4a3e-9b1e-3c3a4b0a9d21\nBLOCK_SIZE=512\nTYPE=xfs\nUSAGE=filesystem\n";
    internal const string SwapExport = "DEVNAME=/dev/loop3\nUUID=630669f6-3604-4c93-874f-43acaf618f50\nVERSION=1\nTYPE=swap\nUSAGE=other\n";
    internal const string LuksExport = "DEVNAME=/dev/loop3\nVERSION=1\nUUID=0b3f6f27-8f50-4bfa-9d1c-2f4f2a0d9f6e\nTYPE=crypto_LUKS\nUSAGE=crypto\n";
    internal const string DosExport = "DEVNAME=/dev/loop3\nPTUUID=12345678\nPTTYPE=dos\n";

    private static readonly string[] BlkidArgs = ["-p", "-o", "export", Device];
    private static readonly string[] WipefsArgs = ["--no-act", Device];

    [Fact]
    public async Task ProbeAsync_NothingFoundByEither_IsBlank()
    {
        var runner = new ScriptedProcessRunner()
            .Expect("blkid", BlkidArgs, exitCode: 2)
            .Expect("wipefs", WipefsArgs);

        var contents = await Probe(runner).ProbeAsync(Device, CancellationToken.None).WithTimeout();

        Assert.IsType<DeviceContents.Blank>(contents);
        runner.VerifyAllRan();
    }

    [Theory]
    [InlineData(Ext4Export, "ext4")]
    [InlineData(XfsExport, "xfs")]
    public async Task ProbeAsync_Filesystem_IsFilesystemWithoutAskingWipefs(string export, string type)
    {
        var runner = new ScriptedProcessRunner().Expect("blkid", BlkidArgs, stdout: export);

        var contents = await Probe(runner).ProbeAsync(Device, CancellationToken.None).WithTimeout();

        Assert.Equal(new DeviceContents.Filesystem(type), contents);
        runner.VerifyAllRan();
    }

    [Theory]
    [InlineData(SwapExport, "swap")]
    [InlineData(LuksExport, "crypto_LUKS")]
    [InlineData("TYPE=linux_raid_member\nUSAGE=raid\n", "linux_raid_member")]
    [InlineData("TYPE=LVM2_member\nUSAGE=raid\n", "LVM2_member")]
    [InlineData("TYPE=mystery\n", "mystery")]
    public async Task ProbeAsync_NonFilesystemSignature_IsOtherSignature(string export, string type)
    {
        var runner = new ScriptedProcessRunner().Expect("blkid", BlkidArgs, stdout: export);

        var contents = await Probe(runner).ProbeAsync(Device, CancellationToken.None).WithTimeout();

        var other = Assert.IsType<DeviceContents.OtherSignature>(contents);
        Assert.Contains(type, other.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProbeAsync_PartitionTable_IsPartitionTable()
    {
        var runner = new ScriptedProcessRunner().Expect("blkid", BlkidArgs, stdout: DosExport);

        var contents = await Probe(runner).ProbeAsync(Device, CancellationToken.None).WithTimeout();

        Assert.Equal(new DeviceContents.PartitionTable("dos"), contents);
    }

    [Fact]
    public async Task ProbeAsync_PartitionTableAndFilesystem_PartitionTableWins()
    {
        var runner = new ScriptedProcessRunner().Expect("blkid", BlkidArgs, stdout: "PTTYPE=gpt\nTYPE=ext4\nUSAGE=filesystem\n");

        var contents = await Probe(runner).ProbeAsync(Device, CancellationToken.None).WithTimeout();

        Assert.Equal(new DeviceContents.PartitionTable("gpt"), contents);
    }

    [Fact]
    public async Task ProbeAsync_FoundButNoType_IsOtherSignature()
    {
        var runner = new ScriptedProcessRunner().Expect("blkid", BlkidArgs, stdout: "DEVNAME=/dev/loop3\nPART_ENTRY_SCHEME=dos\n");

        var contents = await Probe(runner).ProbeAsync(Device, CancellationToken.None).WithTimeout();

        Assert.IsType<DeviceContents.OtherSignature>(contents);
    }

    [Fact]
    public async Task ProbeAsync_BlkidAmbivalent_IsOtherSignature()
    {
        var runner = new ScriptedProcessRunner().Expect("blkid", BlkidArgs, exitCode: 8);

        var contents = await Probe(runner).ProbeAsync(Device, CancellationToken.None).WithTimeout();

        Assert.IsType<DeviceContents.OtherSignature>(contents);
        runner.VerifyAllRan();
    }

    [Fact]
    public async Task ProbeAsync_WipefsSeesWhatBlkidDoesNot_IsOtherSignature()
    {
        var runner = new ScriptedProcessRunner()
            .Expect("blkid", BlkidArgs, exitCode: 2)
            .Expect("wipefs", WipefsArgs, stdout: "DEVICE OFFSET TYPE UUID LABEL\nloop3  0x438  ext4 5c1f0e4e\n");

        var contents = await Probe(runner).ProbeAsync(Device, CancellationToken.None).WithTimeout();

        var other = Assert.IsType<DeviceContents.OtherSignature>(contents);
        Assert.Contains("0x438", other.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProbeAsync_BlkidFails_ThrowsCommandFailedWithItsOutput()
    {
        var runner = new ScriptedProcessRunner().Expect("blkid", BlkidArgs, exitCode: 4, stderr: "blkid: error: /dev/loop3: No such file or directory");

        var e = await Assert.ThrowsAsync<CommandFailedException>(() => Probe(runner).ProbeAsync(Device, CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Equal(4, e.ExitCode);
        Assert.Equal("blkid", e.Tool);
        Assert.Contains("No such file or directory", e.Message, StringComparison.Ordinal);
        Assert.Contains(Device, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProbeAsync_WipefsFails_ThrowsCommandFailed()
    {
        var runner = new ScriptedProcessRunner()
            .Expect("blkid", BlkidArgs, exitCode: 2)
            .Expect("wipefs", WipefsArgs, exitCode: 1, stderr: "wipefs: error: /dev/loop3: probing initialization failed");

        var e = await Assert.ThrowsAsync<CommandFailedException>(() => Probe(runner).ProbeAsync(Device, CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Equal("wipefs", e.Tool);
        Assert.Contains("probing initialization failed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseExport_Lines_ReadsKeysAndValues()
    {
        var values = BlockDeviceProbe.ParseExport(Ext4Export);

        Assert.Equal("ext4", values["TYPE"]);
        Assert.Equal("filesystem", values["USAGE"]);
        Assert.Equal("1.0", values["VERSION"]);
    }

    private static BlockDeviceProbe Probe(ScriptedProcessRunner runner) => new(runner, NodeConfiguration.Defaults);
}
