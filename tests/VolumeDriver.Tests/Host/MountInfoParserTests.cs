using VolumeDriver.Host;

namespace VolumeDriver.Tests.Host;

public sealed class MountInfoParserTests
{
    [Fact]
    public void Parse_ProcExample_ReadsEveryField()
    {
        // The example line from proc(5), with two optional fields.
        var entries = MountInfoParser.Parse("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 shared:7 - ext3 /dev/root rw,errors=continue\n");

        var entry = Assert.Single(entries);
        Assert.Equal(new MountEntry(36, 35, 98, 0, "/mnt1", "/mnt2", "rw,noatime", "ext3", "/dev/root", "rw,errors=continue"), entry);
    }

    [Fact]
    public void Parse_NoOptionalFields_ReadsFieldsAfterSeparator()
    {
        var entries = MountInfoParser.Parse("41 26 7:0 / /tmp/mnt-x ro,relatime - ext4 /dev/loop0 ro");

        var entry = Assert.Single(entries);
        Assert.Equal((7u, 0u), (entry.Major, entry.Minor));
        Assert.Equal("/tmp/mnt-x", entry.MountPoint);
        Assert.Equal("ext4", entry.FsType);
        Assert.Equal("/dev/loop0", entry.Source);
        Assert.Equal("ro", entry.SuperOptions);
    }

    [Fact]
    public void Parse_OctalEscapes_AreDecoded()
    {
        var line = @"100 26 259:3 /a\134b /var/lib/kubelet/my\040vol\011tab\012nl rw,relatime shared:1 - xfs /dev/disk\040x rw,attr2";

        var entry = Assert.Single(MountInfoParser.Parse(line));

        Assert.Equal("/a\\b", entry.Root);
        Assert.Equal("/var/lib/kubelet/my vol\ttab\nnl", entry.MountPoint);
        Assert.Equal("/dev/disk x", entry.Source);
        Assert.Equal((259u, 3u), (entry.Major, entry.Minor));
    }

    [Theory]
    [InlineData(@"a\04", @"a\04")]
    [InlineData(@"a\9999", @"a\9999")]
    [InlineData(@"\\", @"\\")]
    [InlineData(@"x\040", "x ")]
    [InlineData(@"\040\040", "  ")]
    public void Unescape_IncompleteOrValidEscapes_DecodesOnlyFullOctalTriples(string field, string expected)
    {
        Assert.Equal(expected, MountInfoParser.Unescape(field));
    }

    [Fact]
    public void Parse_MalformedLines_AreSkipped()
    {
        var text = string.Join('\n',
            "garbage",
            "",
            "1 2 3:4 / /no-separator rw ext4 /dev/x rw",
            "x 2 3:4 / /bad-id rw - ext4 /dev/x rw",
            "1 2 34 / /bad-devno rw - ext4 /dev/x rw",
            "1 2 3:4 / /too-few-after-separator rw - ext4 /dev/x",
            "22 26 0:21 / /sys rw,relatime - sysfs sysfs rw",
            "");

        var entry = Assert.Single(MountInfoParser.Parse(text));
        Assert.Equal("/sys", entry.MountPoint);
    }

    [Fact]
    public void Parse_EmptySource_KeepsFieldPositions()
    {
        var entry = Assert.Single(MountInfoParser.Parse("50 26 0:45 / /mnt/empty rw - tmpfs  rw,size=1024k"));

        Assert.Equal("tmpfs", entry.FsType);
        Assert.Equal(string.Empty, entry.Source);
        Assert.Equal("rw,size=1024k", entry.SuperOptions);
    }

    [Fact]
    public void Parse_StackedMounts_KeepsFileOrder()
    {
        var entries = MountInfoParser.Parse(
            "60 26 7:1 / /mnt/v rw - ext4 /dev/loop1 rw\n61 60 7:2 / /mnt/v rw - ext4 /dev/loop2 rw\n");

        Assert.Equal(["/dev/loop1", "/dev/loop2"], entries.Select(e => e.Source));
    }

    [Theory]
    [InlineData("7:3", true, 7u, 3u)]
    [InlineData("259:0\n", false, 0u, 0u)]
    [InlineData(":3", false, 0u, 0u)]
    [InlineData("7:", false, 0u, 0u)]
    [InlineData("-7:3", false, 0u, 0u)]
    public void TryParseDeviceNumber_Text_ParsesOnlyMajorColonMinor(string text, bool ok, uint major, uint minor)
    {
        Assert.Equal(ok, MountInfoParser.TryParseDeviceNumber(text, out var parsedMajor, out var parsedMinor));
        if (ok)
        {
            Assert.Equal((major, minor), (parsedMajor, parsedMinor));
        }
    }
}
