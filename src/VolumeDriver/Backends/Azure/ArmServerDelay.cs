using System.Globalization;
using Azure;
using VolumeDriver.CloudCalls;

namespace VolumeDriver.Backends.Azure;

/// <summary>
/// The delay an ARM response asks for before the next request: retry-after-ms or x-ms-retry-after-ms
/// in milliseconds, else Retry-After in seconds or as an HTTP date. The headers and their order are
/// Azure.Core's (ResponseHeaders.RetryAfter); a date is read against the injected clock, not the
/// system's. Both the retries (<see cref="ArmRetryPolicy"/>) and the long-running operations'
/// polls (<see cref="ArmOperations"/>) read it.
/// </summary>
internal static class ArmServerDelay
{
    private static readonly string[] MillisecondHeaders = ["retry-after-ms", "x-ms-retry-after-ms"];

    /// <summary>The delay <paramref name="response"/> asks for, from <paramref name="now"/>; null when it asks for none.</summary>
    public static TimeSpan? Of(Response response, DateTimeOffset now)
    {
        var headers = response.Headers;
        foreach (var name in MillisecondHeaders)
        {
            if (headers.TryGetValue(name, out var ms) && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds >= 0)
            {
                return TimeSpan.FromMilliseconds(milliseconds);
            }
        }

        return headers.TryGetValue(RetryAfter.Header, out var value) ? RetryAfter.Parse(value, now) : null;
    }
}
