using VolumeDriver.Domain;

namespace VolumeDriver.Tests.Domain;

public sealed class MountOptionsTests
{
    [Theory]
    [InlineData("noatime", new[] { "noatime" })]
    [InlineData("noatime,nodiratime,data=ordered", new[] { "noatime", "nodiratime", "data=ordered" })]
    [InlineData(" noatime , discard ", new[] { "noatime", "discard" })]
    [InlineData("noatime,noatime", new[] { "noatime" })]
    [InlineData("commit=30,errors=remount-ro", new[] { "commit=30", "errors=remount-ro" })]
    public void TryParse_KnownOptions_AreKeptInOrder(string text, string[] expected)
    {
        Assert.True(MountOptions.TryParse(text, out var options, out var problem), problem);
        Assert.Equal(expected, options.Items);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void TryParse_Nothing_IsNone(string? text)
    {
        Assert.True(MountOptions.TryParse(text, out var options, out _));
        Assert.Empty(options.Items);
    }

    [Theory]
    [InlineData("noatime;reboot")]
    [InlineData("$(reboot)")]
    [InlineData("noatime\nro")]
    [InlineData("noatime,,ro")]
    [InlineData(",noatime")]
    [InlineData("bind")]
    [InlineData("remount")]
    [InlineData("loop=/dev/loop1")]
    [InlineData("data=evil")]
    [InlineData("commit=1;2")]
    [InlineData("context=\"system_u:object_r:tmp_t:s0\"")]
    [InlineData("x-mount.mkdir")]
    public void TryParse_UnsafeOrUnknown_IsRefused(string text)
    {
        Assert.False(MountOptions.TryParse(text, out _, out var problem));
        Assert.False(string.IsNullOrWhiteSpace(problem));
        Assert.DoesNotContain('\n', problem);
    }
}
