using VolumeDriver.Kubernetes;

namespace VolumeDriver.Tests.Kubernetes;

public sealed class StorageQuantityTests
{
    [Theory]
    [InlineData("10Gi", 10L << 30)]
    [InlineData("1G", 1_000_000_000L)]
    [InlineData("500Mi", 500L << 20)]
    [InlineData("1.5Gi", 3L << 29)]
    [InlineData("0.5", 1L)]
    [InlineData("1e9", 1_000_000_000L)]
    [InlineData("1E3", 1000L)]
    [InlineData("2E", 2_000_000_000_000_000_000L)]
    [InlineData(" 123 ", 123L)]
    [InlineData("+1Ki", 1024L)]
    [InlineData(".5Ki", 512L)]
    [InlineData("0.1Ki", 103L)]
    public void TryParseBytes_ReadsQuantities_RoundingUpToAWholeByte(string text, long bytes)
    {
        Assert.True(StorageQuantity.TryParseBytes(text, out var parsed, out var problem), problem);
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ten")]
    [InlineData("-1Gi")]
    [InlineData("10GB")]
    [InlineData("1.2.3")]
    [InlineData("9Ei")]
    [InlineData("1e99")]
    [InlineData("123456789012345678901234567890123Gi")]
    public void TryParseBytes_RefusesWhatIsNotAStorageQuantity(string text)
    {
        Assert.False(StorageQuantity.TryParseBytes(text, out _, out var problem));
        Assert.Contains($"'{text}'", problem, StringComparison.Ordinal);
    }
}
