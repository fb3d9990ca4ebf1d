using VolumeDriver.CloudCalls;
using VolumeDriver.Configuration;

namespace VolumeDriver.Backends.VCloud;

/// <summary>
/// Where and how <see cref="VCloudClient"/> (over its <see cref="VCloudConnection"/>) talks to vCloud
/// Director: the endpoint, the API version it prefers (null negotiates the newest both sides speak),
/// each request's deadline, and the retry knobs: BUSY_ENTITY's backoff, which runs within the
/// operation's deadline, and the task polls' first and longest interval. Built once from the
/// configuration (<see cref="From"/>); the defaults are the driver's, tests shorten the waits.
/// </summary>
internal sealed record VCloudClientOptions
{
    /// <summary>BUSY_ENTITY clears when the other task ends: from 1 s, doubling to 10 s, until the operation's deadline.</summary>
    public static readonly RetrySchedule DefaultBusyRetry = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), maxAttempts: null, maxElapsed: null);

    public static readonly TimeSpan DefaultFirstTaskPoll = TimeSpan.FromMilliseconds(250);

    public static readonly TimeSpan DefaultMaxTaskPoll = TimeSpan.FromSeconds(3);

    public VCloudClientOptions(Uri endpoint)
    {
        Endpoint = endpoint;
    }

    /// <summary>vCloud Director's base URL (vcloud.host), e.g. https://vcd.example.com/.</summary>
    public Uri Endpoint { get; init; }

    /// <summary>The API version to speak when the server offers it (vcloud.api_version); null for the newest both sides know.</summary>
    public string? PreferredApiVersion { get; init; }

    /// <summary>One request's deadline, login requests included; tasks are waited for separately, with their own.</summary>
    public TimeSpan RequestTimeout { get; init; } = VCloudHttpClientFactory.RequestTimeout;

    /// <summary>How a change answered BUSY_ENTITY is retried; its budget is the operation's deadline when the schedule sets none.</summary>
    public RetrySchedule BusyRetry { get; init; } = DefaultBusyRetry;

    /// <summary>The first wait before a running task is looked at again; each next wait doubles, up to <see cref="MaxTaskPoll"/>.</summary>
    public TimeSpan FirstTaskPoll { get; init; } = DefaultFirstTaskPoll;

    public TimeSpan MaxTaskPoll { get; init; } = DefaultMaxTaskPoll;

    /// <summary>The options the configuration asks for, with the driver's retry defaults.</summary>
    public static VCloudClientOptions From(VCloudConfiguration configuration) =>
        new(configuration.Endpoint) { PreferredApiVersion = configuration.PreferredApiVersion };
}
