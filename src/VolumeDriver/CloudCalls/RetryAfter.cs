using System.Globalization;

namespace VolumeDriver.CloudCalls;

/// <summary>HTTP's Retry-After header (RFC 9110 §10.2.3): a number of seconds, or an HTTP-date.</summary>
internal static class RetryAfter
{
    public const string Header = "Retry-After";

    /// <summary>IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), and the obsolete RFC 850 and asctime forms a recipient must accept.</summary>
    private static readonly string[] HttpDateFormats = ["r", "dddd, dd-MMM-yy HH:mm:ss 'GMT'", "ddd MMM d HH:mm:ss yyyy"];

    /// <summary>
    /// How long to wait from <paramref name="now"/>: the seconds given, or the time until the date given
    /// (zero for a date already past); null for a missing or unreadable header.
    /// </summary>
    public static TimeSpan? Parse(string? value, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        value = value.Trim();
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(Math.Min(seconds, (long)TimeSpan.MaxValue.TotalSeconds - 1));
        }

        if (DateTimeOffset.TryParseExact(value, HttpDateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowInnerWhite, out var date))
        {
            var wait = date - now;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }
}
