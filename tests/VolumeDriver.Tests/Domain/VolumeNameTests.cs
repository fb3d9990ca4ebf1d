using VolumeDriver.Domain;

namespace VolumeDriver.Tests.Domain;

public sealed class VolumeNameTests
{
    [Theory]
    [InlineData("pv-1")]
    [InlineData("pvc-3f0c6c5a-8e2b-4b7e-9d7c-2a1b3c4d5e6f")]
    [InlineData("a")]
    [InlineData("data.v1_backup")]
    public void TryCreate_KubernetesStyleName_IsAccepted(string text)
    {
        Assert.True(VolumeName.TryCreate(text, out var name, out var problem), problem);
        Assert.Equal(text, name.Value.Value);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("a..b")]
    [InlineData("../etc")]
    [InlineData("a\0b")]
    [InlineData("")]
    [InlineData("-leading")]
    [InlineData("trailing.")]
    [InlineData("with space")]
    [InlineData("日本語")]
    [InlineData("nlvol\n")]
    [InlineData("nlvol\r\n")]
    [InlineData("\nnlvol")]
    public void TryCreate_UnsafeName_IsRefused(string text)
    {
        Assert.False(VolumeName.TryCreate(text, out _, out var problem));
        Assert.False(string.IsNullOrWhiteSpace(problem));
    }

    [Fact]
    public void TryCreate_300Characters_IsRefusedWithTheLimit()
    {
        Assert.False(VolumeName.TryCreate(new string('a', 300), out _, out var problem));
        Assert.Contains("253", problem, StringComparison.Ordinal);
    }
}
