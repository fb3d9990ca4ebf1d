using VolumeDriver.Domain;

namespace VolumeDriver.Tests.Domain;

public sealed class FlexDriverNameTests
{
    [Theory]
    [InlineData("example.com~volume-driver", "example.com", "volume-driver")]
    [InlineData("example.com/volume-driver", "example.com", "volume-driver")]
    [InlineData("acme~VolumeDriver", "acme", "VolumeDriver")]
    [InlineData("acme~Volume_Driver.v2", "acme", "Volume_Driver.v2")]
    [InlineData("a~b", "a", "b")]
    [InlineData("k8s-1.example.com~x9", "k8s-1.example.com", "x9")]
    public void TryParse_QualifiedName_Accepted(string text, string vendor, string name)
    {
        Assert.True(FlexDriverName.TryParse(text, out var driver, out var problem), problem);
        Assert.Equal(vendor, driver.Value.Vendor);
        Assert.Equal(name, driver.Value.Name);
        Assert.Equal(vendor + "~" + name, driver.Value.DirectoryName);
        Assert.Equal(vendor + "/" + name, driver.Value.QualifiedName);
    }

    [Fact]
    public void TryParse_NameOf63Characters_Accepted()
    {
        Assert.True(FlexDriverName.TryParse("acme~" + new string('a', 63), out _, out var problem), problem);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData(null, "empty")]
    [InlineData("volume-driver", "no '~'")]
    [InlineData("a~b~c", "exactly one")]
    [InlineData("a~b/c", "exactly one")]
    [InlineData("~volume-driver", "vendor")]
    [InlineData("acme~", "name")]
    [InlineData("acme~-driver", "start and end")]
    [InlineData("acme~driver-", "start and end")]
    [InlineData("acme~dri ver", "only letters")]
    [InlineData("Example.com~driver", "DNS subdomain")]
    [InlineData("-acme~driver", "DNS subdomain")]
    [InlineData("acme_corp~driver", "DNS subdomain")]
    [InlineData(".acme~driver", "DNS subdomain")]
    [InlineData("acme~driver\n", "only letters")]
    [InlineData("acme\n~driver", "DNS subdomain")]
    public void TryParse_NameKubeletRejects_Refused(string? text, string expectedProblem)
    {
        Assert.False(FlexDriverName.TryParse(text, out var driver, out var problem));
        Assert.Null(driver);
        Assert.Contains(expectedProblem, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_NameOf64Characters_Refused()
    {
        Assert.False(FlexDriverName.TryParse("acme~" + new string('a', 64), out _, out var problem));
        Assert.Contains("63", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_VendorOver253Characters_Refused()
    {
        var vendor = string.Join('.', Enumerable.Repeat(new string('a', 63), 4));
        Assert.Equal(255, vendor.Length);
        Assert.False(FlexDriverName.TryParse(vendor + "~driver", out _, out var problem));
        Assert.Contains("253", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ExecutablePath_IsDirectoryThenName()
    {
        Assert.True(FlexDriverName.TryParse("example.com~volume-driver", out var driver, out _));
        Assert.Equal("/plugins/example.com~volume-driver/volume-driver", driver.Value.ExecutablePath("/plugins"));
    }
}
