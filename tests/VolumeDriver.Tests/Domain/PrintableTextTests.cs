using VolumeDriver.Domain;

namespace VolumeDriver.Tests.Domain;

public sealed class PrintableTextTests
{
    [Theory]
    [InlineData("pv-1", "pv-1")]
    [InlineData("a\nb\u001b[31m", "a\\u000ab\\u001b[31m")]
    [InlineData("ünï", "ünï")]
    public void Of_EscapesControlCharacters_AndKeepsTheRest(string text, string expected) =>
        Assert.Equal(expected, PrintableText.Of(text));

    [Fact]
    public void Of_CapsTheLength_WithAnEllipsis()
    {
        Assert.Equal(new string('x', 80) + "…", PrintableText.Of(new string('x', 200)));
        Assert.Equal("xxxx…", PrintableText.Of(new string('x', 5), 4));
        Assert.Equal("xxxx", PrintableText.Of("xxxx", 4));
    }
}
