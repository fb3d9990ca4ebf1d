using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.FlexVolume;

namespace VolumeDriver.Tests.FlexVolume;

public sealed class FlexOptionsParserTests
{
    private static readonly FlexOptionsParser Parser = new(new HashSet<string>(StringComparer.Ordinal) { "skuname" });

    [Fact]
    public void Parse_KubeletBaseKeys_GivesTypedOptions()
    {
        var options = Parser.Parse("{\"kubernetes.io/fsType\":\"xfs\",\"kubernetes.io/pvOrVolumeName\":\"pv-1\",\"kubernetes.io/readwrite\":\"ro\",\"size\":\"2Gi\",\"mountOptions\":\"noatime\",\"skuname\":\"Premium_LRS\"}");

        Assert.Equal("pv-1", options.VolumeName!.Value.Value);
        Assert.Equal(FsType.Xfs, options.FsType);
        Assert.True(options.ReadOnly);
        Assert.Equal(2L << 30, options.Size!.Value.Bytes);
        Assert.Equal(["noatime"], options.MountOptions.Items);
        Assert.Equal("Premium_LRS", options.BackendOptions["skuname"]);
        Assert.Single(options.BackendOptions);
    }

    [Fact]
    public void Parse_EmptyFsType_DefaultsToExt4AndReadWrite()
    {
        var options = Parser.Parse("{\"kubernetes.io/fsType\":\"\",\"kubernetes.io/pvOrVolumeName\":\"pv-1\",\"kubernetes.io/readwrite\":\"rw\"}");
        Assert.Equal(FsType.Ext4, options.FsType);
        Assert.False(options.ReadOnly);
        Assert.Null(options.Size);
    }

    [Fact]
    public void Parse_LegacySpellings_AreHonoured()
    {
        var options = Parser.Parse("{\"kubernetes.io/pvOrVolumeName\":\"pv-1\",\"fstype\":\"xfs\",\"mountoptions\":\"discard\",\"kubernetes.io/fsGroup\":\"2000\"}");
        Assert.Equal(FsType.Xfs, options.FsType);
        Assert.Equal(["discard"], options.MountOptions.Items);
        Assert.Equal(2000, options.FsGroup);
    }

    [Fact]
    public void Parse_VolumeNameOption_IsRefusedSoDetachByPvNameAlwaysFindsTheDisk()
    {
        var error = Assert.Throws<InvalidOptionException>(() => Parser.Parse("{\"kubernetes.io/pvOrVolumeName\":\"pv-1\",\"volumeName\":\"disk-a\"}"));
        Assert.Equal("volumeName", error.Key);
    }

    [Fact]
    public void Parse_PodKeysSecretsAndFutureKubeletKeys_AreAccepted()
    {
        var options = Parser.Parse("{\"kubernetes.io/pvOrVolumeName\":\"pv-1\",\"kubernetes.io/pod.name\":\"p\",\"kubernetes.io/pod.uid\":\"u\",\"kubernetes.io/secret/password\":\"c2VjcmV0\",\"kubernetes.io/mounterArgs.FsGroup\":\"1000\",\"kubernetes.io/somethingNew\":\"x\"}");
        Assert.Equal(1000, options.FsGroup);
        Assert.Empty(options.BackendOptions);
    }

    [Theory]
    [InlineData("{\"kubernetes.io/pvOrVolumeName\":\"pv\",\"sizee\":\"1Gi\"}", "sizee")]
    [InlineData("{\"kubernetes.io/pvOrVolumeName\":\"pv\",\"size\":\"abc\"}", "size")]
    [InlineData("{\"kubernetes.io/pvOrVolumeName\":\"pv\",\"size\":\"-1Gi\"}", "size")]
    [InlineData("{\"kubernetes.io/pvOrVolumeName\":\"pv\",\"size\":\"1Zi\"}", "size")]
    [InlineData("{\"kubernetes.io/pvOrVolumeName\":\"pv\",\"size\":\"99999Ti\"}", "size")]
    [InlineData("{\"kubernetes.io/pvOrVolumeName\":\"pv\",\"kubernetes.io/fsType\":\"btrfs\"}", "kubernetes.io/fsType")]
    [InlineData("{\"kubernetes.io/pvOrVolumeName\":\"pv\",\"kubernetes.io/readwrite\":\"yes\"}", "kubernetes.io/readwrite")]
    [InlineData("{\"kubernetes.io/pvOrVolumeName\":\"pv\",\"mountOptions\":\"noatime;reboot\"}", "mountOptions")]
    [InlineData("{\"kubernetes.io/pvOrVolumeName\":\"pv\",\"mountOptions\":\"$(reboot)\"}", "mountOptions")]
    [InlineData("{\"kubernetes.io/pvOrVolumeName\":\"pv\",\"mountOptions\":\"noatime\\nro\"}", "mountOptions")]
    [InlineData("{\"kubernetes.io/pvOrVolumeName\":\"pv\",\"mountOptions\":\"noatime,,ro\"}", "mountOptions")]
    [InlineData("{\"kubernetes.io/pvOrVolumeName\":\"pv\",\"mountOptions\":\"bogus\"}", "mountOptions")]
    [InlineData("{\"kubernetes.io/pvOrVolumeName\":\"pv\",\"mountoptions\":\"bogus\"}", "mountoptions")]
    [InlineData("{\"kubernetes.io/pvOrVolumeName\":\"a/b\"}", "kubernetes.io/pvOrVolumeName")]
    [InlineData("{\"kubernetes.io/pvOrVolumeName\":\"..\"}", "kubernetes.io/pvOrVolumeName")]
    [InlineData("{\"kubernetes.io/pvOrVolumeName\":\"a\\u0000b\"}", "kubernetes.io/pvOrVolumeName")]
    [InlineData("{\"kubernetes.io/pvOrVolumeName\":\"pv\",\"kubernetes.io/mounterArgs.FsGroup\":\"wheel\"}", "kubernetes.io/mounterArgs.FsGroup")]
    public void Parse_BadOption_FailsNamingTheKey(string json, string key)
    {
        var error = Assert.Throws<InvalidOptionException>(() => Parser.Parse(json));
        Assert.Equal(key, error.Key);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_300CharacterName_FailsWithTheLimit()
    {
        var error = Assert.Throws<InvalidOptionException>(() => Parser.Parse($"{{\"kubernetes.io/pvOrVolumeName\":\"{new string('a', 300)}\"}}"));
        Assert.Contains("253", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_100KiBValue_FailsWithTheLimitAndNotTheValue()
    {
        var big = new string('x', 100 * 1024);
        var error = Assert.Throws<InvalidOptionException>(() => Parser.Parse($"{{\"kubernetes.io/pvOrVolumeName\":\"pv\",\"mountOptions\":\"{big}\"}}"));
        Assert.Equal("mountOptions", error.Key);
        Assert.Contains("16384", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length < 400);
    }

    [Fact]
    public void RequireVolumeName_Missing_FailsNamingTheKubeletKey()
    {
        var options = Parser.Parse("{\"kubernetes.io/fsType\":\"\"}");
        var error = Assert.Throws<InvalidOptionException>(() => options.RequireVolumeName());
        Assert.Contains("kubernetes.io/pvOrVolumeName", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ConflictingMountOptionSpellings_Fails()
    {
        var error = Assert.Throws<InvalidOptionException>(() => Parser.Parse("{\"mountOptions\":\"noatime\",\"mountoptions\":\"discard\"}"));
        Assert.Contains("mountoptions", error.Message, StringComparison.Ordinal);
    }
}
