using VolumeDriver.CloudCalls;

namespace VolumeDriver.Tests.CloudCalls;

public sealed class RetryAfterTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("0", 0)]
    [InlineData("17", 17)]
    [InlineData(" 120 ", 120)]
    public void Parse_Seconds_IsThatManySeconds(string header, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), RetryAfter.Parse(header, Now));

    [Fact]
    public void Parse_HttpDate_IsTheTimeUntilIt() =>
        Assert.Equal(TimeSpan.FromSeconds(90), RetryAfter.Parse("Mon, 07 Dec 2026 08:01:30 GMT", Now));

    [Theory]
    [InlineData("Monday, 07-Dec-26 08:01:30 GMT")]
    [InlineData("Mon Dec  7 08:01:30 2026")]
    public void Parse_ObsoleteHttpDates_AreReadToo(string header) =>
        Assert.Equal(TimeSpan.FromSeconds(90), RetryAfter.Parse(header, Now));

    [Fact]
    public void Parse_HttpDateInThePast_IsZero() =>
        Assert.Equal(TimeSpan.Zero, RetryAfter.Parse("Mon, 07 Dec 2026 07:59:00 GMT", Now));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("-5")]
    [InlineData("soon")]
    [InlineData("1.5")]
    public void Parse_MissingOrUnreadable_IsNull(string? header) =>
        Assert.Null(RetryAfter.Parse(header, Now));
}
