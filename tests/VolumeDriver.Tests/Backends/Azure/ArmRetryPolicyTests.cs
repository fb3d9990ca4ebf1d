using Azure.Core;
using Azure.Core.Pipeline;
using VolumeDriver.Backends.Azure;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Backends.Azure;

/// <summary>
/// The ARM pipelines' one retry layer against the ARM double: which answers it retries, how long it
/// waits (the Retry-After ARM asks for, else Azure.Core's exponential backoff) and when it stops, all
/// on the injected clock, which here skips each wait instead of spending it.
/// </summary>
public sealed class ArmRetryPolicyTests : IAsyncLifetime
{
    private AzureStackTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await AzureStackTestBed.StartAsync().WithTimeout();

    public async Task DisposeAsync() => await _bed.DisposeAsync().WithTimeout();

    private string VmPath => $"subscriptions/{_bed.Arm.Options.SubscriptionId}/resourceGroups/{_bed.Arm.Options.ResourceGroup}/providers/Microsoft.Compute/virtualMachines/node-1";

    [Fact]
    public async Task A429_IsRetriedAfterExactlyItsRetryAfter()
    {
        var clock = new SkipAheadTimeProvider();
        _bed.Arm.FailNext("GET", "/virtualMachines/node-1$", 1, 429, "SubscriptionRequestsThrottled", retryAfterSeconds: 42);

        var status = await GetVmAsync(Pipeline(clock)).WithTimeout();

        Assert.Equal(200, status);
        Assert.Equal(2, VmGets());
        Assert.Equal(TimeSpan.FromSeconds(42), clock.Skipped);
    }

    [Fact]
    public async Task A503WithoutRetryAfter_IsRetriedWithAzureCoresExponentialBackoff()
    {
        var clock = new SkipAheadTimeProvider();
        _bed.Arm.FailNext("GET", "/virtualMachines/node-1$", 2, 503, "ServiceUnavailable");

        // A jitter sample of 0.5 is the middle of the ±20 % spread: the backoff itself, 0.8 s then 1.6 s.
        var status = await GetVmAsync(Pipeline(clock, random: () => 0.5)).WithTimeout();

        Assert.Equal(200, status);
        Assert.Equal(3, VmGets());
        Assert.Equal(TimeSpan.FromSeconds(0.8 + 1.6), clock.Skipped);
    }

    [Fact]
    public async Task AfterThreeRetries_TheLastAnswerStands()
    {
        var clock = new SkipAheadTimeProvider();
        _bed.Arm.FailNext("GET", "/virtualMachines/node-1$", 10, 503, "ServiceUnavailable");

        var status = await GetVmAsync(Pipeline(clock, random: () => 0.5)).WithTimeout();

        Assert.Equal(503, status);
        Assert.Equal(4, VmGets());
        Assert.Equal(TimeSpan.FromSeconds(0.8 + 1.6 + 3.2), clock.Skipped);
    }

    [Fact]
    public async Task ANotFound_IsNotRetried()
    {
        var clock = new SkipAheadTimeProvider();
        _bed.Arm.FailNext("GET", "/virtualMachines/node-1$", 1, 404, "ResourceNotFound");

        var status = await GetVmAsync(Pipeline(clock)).WithTimeout();

        Assert.Equal(404, status);
        Assert.Equal(1, VmGets());
        Assert.Equal(TimeSpan.Zero, clock.Skipped);
    }

    [Fact]
    public void TheClientsPipelines_UseThisPolicy_NotAzureCoresOwn()
    {
        var clients = _bed.Clients(_bed.Configuration());

        Assert.IsType<ArmRetryPolicy>(clients.Options().RetryPolicy);
    }

    /// <summary>The ARM pipeline as <see cref="AzureClients.CreateArmPipeline"/> builds it, with a retry policy whose jitter the test may fix.</summary>
    private HttpPipeline Pipeline(TimeProvider clock, Func<double>? random = null)
    {
        var clients = _bed.Clients(_bed.Configuration(), clock);
        var options = clients.Options();
        options.RetryPolicy = new ArmRetryPolicy(clock, random: random);
        return HttpPipelineBuilder.Build(options, [], [new BearerTokenAuthenticationPolicy(clients.Credential.Credential, clients.Cloud.Environment.ArmScope)], new ResponseClassifier());
    }

    private async Task<int> GetVmAsync(HttpPipeline pipeline)
    {
        using var message = pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Get;
        message.Request.Uri.Reset(new Uri(_bed.Arm.BaseUri, VmPath + "?api-version=2026-04-01"));
        await pipeline.SendAsync(message, CancellationToken.None).AsTask().WithTimeout();
        return message.Response.Status;
    }

    private int VmGets() => _bed.Arm.Received().Count(r => r.Method == "GET" && r.Path.EndsWith("/virtualMachines/node-1", StringComparison.Ordinal));
}
