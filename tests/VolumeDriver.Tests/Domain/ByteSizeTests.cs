using VolumeDriver.Domain;

namespace VolumeDriver.Tests.Domain;

public sealed class ByteSizeTests
{
    [Theory]
    [InlineData("512Mi", 512L << 20)]
    [InlineData("1Gi", 1L << 30)]
    [InlineData("2Ti", 2L << 40)]
    [InlineData("1048576", 1L << 20)]
    [InlineData("10G", 10_000_000_000L)]
    [InlineData("64Ti", 64L << 40)]
    [InlineData(" 3Ki ", 3L << 10)]
    public void TryParse_ValidQuantity_GivesBytes(string text, long expected)
    {
        Assert.True(ByteSize.TryParse(text, out var size, out var problem), problem);
        Assert.Equal(expected, size.Value.Bytes);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1Gi")]
    [InlineData("1Zi")]
    [InlineData("99999Ti")]
    [InlineData("1.5Gi")]
    [InlineData("1e9")]
    [InlineData("0")]
    [InlineData("")]
    [InlineData("Gi")]
    [InlineData("+1Gi")]
    [InlineData("1gi")]
    [InlineData("99999999999999999999")]
    public void TryParse_InvalidQuantity_ExplainsTheProblem(string text)
    {
        Assert.False(ByteSize.TryParse(text, out var size, out var problem));
        Assert.Null(size);
        Assert.False(string.IsNullOrWhiteSpace(problem));
    }

    [Fact]
    public void WholeGiB_RoundsUp()
    {
        Assert.Equal(1, new ByteSize(1).WholeGiB);
        Assert.Equal(1, new ByteSize(1L << 30).WholeGiB);
        Assert.Equal(2, new ByteSize((1L << 30) + 1).WholeGiB);
    }

    [Fact]
    public void ToString_UsesTheLargestExactBinaryUnit()
    {
        Assert.Equal("1Gi", new ByteSize(1L << 30).ToString());
        Assert.Equal("1536Mi", new ByteSize(3L << 29).ToString());
        Assert.Equal("1000", new ByteSize(1000).ToString());
    }
}
