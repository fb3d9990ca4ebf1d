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

    [Fact]
    public void TryParse_ErrorsPanic_IsRefusedSayingWhy()
    {
        Assert.False(MountOptions.TryParse("noatime,errors=panic", out _, out var problem));
        Assert.Contains("panic the whole node", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", false, "nosuid,nodev")]
    [InlineData("noatime", false, "noatime,nosuid,nodev")]
    [InlineData("nodev,noexec", false, "nodev,noexec,nosuid")]
    [InlineData("exec", false, "exec,nosuid,nodev")]
    [InlineData("noatime", true, "noatime")]
    [InlineData("suid,dev", true, "suid,dev")]
    public void TryApplyPolicy_Allowed_AddsTheNodeDefaultsUnlessTheOperatorAllowsSuidAndDevices(string text, bool allow, string expected)
    {
        Assert.True(MountOptions.TryParse(text, out var options, out _));

        Assert.True(options.TryApplyPolicy(readOnly: false, allow, out var effective, out var problem), problem);

        Assert.Equal(expected, string.Join(',', effective.Items));
    }

    [Theory]
    [InlineData("suid", false, false, "node.allowSuidAndDevices")]
    [InlineData("noatime,dev", false, false, "'dev'")]
    [InlineData("norecovery", false, true, "read-only")]
    [InlineData("noload", false, true, "read-only")]
    public void TryApplyPolicy_Refused_SaysWhy(string text, bool readOnly, bool allow, string expected)
    {
        Assert.True(MountOptions.TryParse(text, out var options, out _));

        Assert.False(options.TryApplyPolicy(readOnly, allow, out _, out var problem));

        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("norecovery", true)]
    [InlineData("ro,noload", false)]
    public void TryApplyPolicy_JournalSkippingOptionsReadOnly_AreAccepted(string text, bool readOnly)
    {
        Assert.True(MountOptions.TryParse(text, out var options, out _));

        Assert.True(options.TryApplyPolicy(readOnly, allowSuidAndDevices: false, out _, out var problem), problem);
    }
}
