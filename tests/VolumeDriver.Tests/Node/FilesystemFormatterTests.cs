using VolumeDriver.Configuration;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Node;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Node;

public sealed class FilesystemFormatterTests
{
    [Fact]
    public async Task FormatAsync_Ext4_RunsMkfsExt4WithKubeletFlags()
    {
        var runner = new ScriptedProcessRunner().Expect("mkfs.ext4", ["-F", "-m0", "/dev/loop3"]);

        await new FilesystemFormatter(runner, NodeConfiguration.Defaults).FormatAsync("/dev/loop3", FsType.Ext4, CancellationToken.None).WithTimeout();

        runner.VerifyAllRan();
    }

    [Fact]
    public async Task FormatAsync_Xfs_RunsMkfsXfsWithoutForce()
    {
        var runner = new ScriptedProcessRunner().Expect("mkfs.xfs", ["/dev/loop3"]);

        await new FilesystemFormatter(runner, NodeConfiguration.Defaults).FormatAsync("/dev/loop3", FsType.Xfs, CancellationToken.None).WithTimeout();

        runner.VerifyAllRan();
    }

    [Fact]
    public async Task FormatAsync_ToolFails_ThrowsWithToolDeviceFsTypeAndOutput()
    {
        var runner = new ScriptedProcessRunner().Expect(
            "mkfs.xfs",
            ["/dev/loop3"],
            exitCode: 1,
            stderr: "mkfs.xfs: /dev/loop3 appears to contain an existing filesystem (ext4).\nmkfs.xfs: Use the -f option to force overwrite.");

        var e = await Assert.ThrowsAsync<CommandFailedException>(
            () => new FilesystemFormatter(runner, NodeConfiguration.Defaults).FormatAsync("/dev/loop3", FsType.Xfs, CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Equal("mkfs.xfs", e.Tool);
        Assert.Equal(1, e.ExitCode);
        Assert.Contains("mkfs.xfs", e.Message, StringComparison.Ordinal);
        Assert.Contains("/dev/loop3", e.Message, StringComparison.Ordinal);
        Assert.Contains(" xfs", e.Message, StringComparison.Ordinal);
        Assert.Contains("appears to contain an existing filesystem", e.Message, StringComparison.Ordinal);
    }
}
