using VolumeDriver.Configuration;

namespace VolumeDriver.Tests.Configuration;

public sealed class UrlUserInfoTests
{
    [Theory]
    [InlineData("https://admin:PASSWORD@vcd.example.com", true)]
    [InlineData("admin:PASSWORD@vcd.example.com", true)]
    [InlineData("http://root@127.0.0.1:2379", true)]
    [InlineData("https://vcd.example.com/cloud", false)]
    [InlineData("vcd.example.com", false)]
    [InlineData("https://vcd.example.com/path@with-at", false)]
    public void IsPresent_FindsUserinfoInTheAuthorityOnly(string text, bool expected)
    {
        Assert.Equal(expected, UrlUserInfo.IsPresent(text));
    }

    [Theory]
    [InlineData("https://admin:PASSWORD@vcd.example.com/api", "https://***@vcd.example.com/api")]
    [InlineData("admin:PASSWORD@vcd.example.com", "***@vcd.example.com")]
    [InlineData("https://vcd.example.com/a@b", "https://vcd.example.com/a@b")]
    public void Hide_ReplacesTheUserinfo(string text, string expected)
    {
        Assert.Equal(expected, UrlUserInfo.Hide(text));
    }

    [Fact]
    public void Quote_UrlWithUserinfo_NeverRepeatsThePassword()
    {
        Assert.DoesNotContain("PASSWORD", YamlSection.Quote("https://admin:PASSWORD@vcd.example.com"), StringComparison.Ordinal);
    }
}
