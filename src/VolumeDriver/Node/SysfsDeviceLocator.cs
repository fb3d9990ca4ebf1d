using Microsoft.Extensions.Logging;
using VolumeDriver.Domain;
using VolumeDriver.Errors;

namespace VolumeDriver.Node;

/// <summary>
/// Waits for a disk's block device by asking the resolver for its identity kind, polling with a
/// growing interval (100 ms doubling to 1 s) until the device shows up or the deadline passes.
/// New identity kinds (Azure LUNs, vCloud WWNs) plug in as further <see cref="IDeviceResolver"/>s.
/// </summary>
internal sealed class SysfsDeviceLocator : IDeviceLocator
{
    public static readonly TimeSpan FirstInterval = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan MaxInterval = TimeSpan.FromSeconds(1);

    private readonly IReadOnlyList<IDeviceResolver> _resolvers;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<SysfsDeviceLocator> _logger;

    public SysfsDeviceLocator(IReadOnlyList<IDeviceResolver> resolvers, TimeProvider timeProvider, ILogger<SysfsDeviceLocator> logger)
    {
        _resolvers = resolvers;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public async Task<string> WaitForDeviceAsync(DiskIdentity identity, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var resolver = _resolvers.FirstOrDefault(r => r.CanResolve(identity))
            ?? throw new NotSupportedException(
                $"this node cannot look for {identity.Describe()}: no device resolver handles {identity.GetType().Name} identities");

        var identityText = identity.Describe();
        _logger.WaitingForDevice(identityText, timeout.TotalSeconds);
        var started = _timeProvider.GetTimestamp();
        var interval = FirstInterval;
        var attempts = 0;
        while (true)
        {
            attempts++;
            var resolution = await resolver.ResolveAsync(identity, cancellationToken);
            var elapsed = _timeProvider.GetElapsedTime(started);
            if (resolution.DevicePath is not null)
            {
                var described = identity.Describe();
                _logger.DeviceFound(described, resolution.DevicePath, attempts, elapsed.TotalMilliseconds);
                return resolution.DevicePath;
            }

            if (elapsed >= timeout)
            {
                var seconds = timeout.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);
                throw new DeviceNotFoundException(
                    identity.Describe(),
                    elapsed,
                    $"did not find {identity.Describe()} on this node after waiting {seconds} s ({attempts} looks)"
                    + (resolution.Observation is null ? string.Empty : "; " + resolution.Observation)
                    + "; " + resolver.WhatToCheck(identity) + ".");
            }

            var remaining = timeout - elapsed;
            await Task.Delay(interval < remaining ? interval : remaining, _timeProvider, cancellationToken);
            interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, MaxInterval.Ticks));
        }
    }
}
