using VolumeDriver.Errors;
using VolumeDriver.FlexVolume;

namespace VolumeDriver.Tests.FlexVolume;

public sealed class OptionsJsonTests
{
    [Fact]
    public void Parse_GoMarshalledMap_ReadsEveryKey()
    {
        var options = OptionsJson.Parse("{\"a\":\"\\u003cb\\u003e\",\"kubernetes.io/fsType\":\"\",\"u\":\"日本語 \\u2028\"}");
        Assert.Equal("<b>", options["a"]);
        Assert.Equal("", options["kubernetes.io/fsType"]);
        Assert.Equal("日本語 \u2028", options["u"]);
    }

    [Fact]
    public void Parse_DuplicateKey_KeepsTheLastLikeGo()
    {
        Assert.Equal("2", OptionsJson.Parse("{\"k\":\"1\",\"k\":\"2\"}")["k"]);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("null", "not null")]
    [InlineData("[]", "not an array")]
    [InlineData("\"str\"", "not a string")]
    [InlineData("{\"kubernetes.io/fsType\":", "not valid JSON")]
    [InlineData("{\"size\":1}", "is a number")]
    [InlineData("{\"size\":{\"a\":\"b\"}}", "is an object")]
    [InlineData("{\"a\":\"b\"} {}", "after a single JSON value")]
    [InlineData("{\"a\":\"b\",}", "not valid JSON")]
    [InlineData("{\"a\":null}", "is null")]
    [InlineData("{\"kubernetes.io/pod.name\":\"\\ud800\"}", "not valid text")]
    public void Parse_NotAnObjectOfStrings_FailsSayingWhat(string json, string expected)
    {
        var error = Assert.Throws<InvalidOptionException>(() => OptionsJson.Parse(json));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
