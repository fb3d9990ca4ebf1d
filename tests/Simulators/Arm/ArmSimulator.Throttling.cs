using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Simulators.Arm;

/// <summary>How the double answers a scale-set VM's update: the two answers VirtualMachineScaleSetVMs_Update allows.</summary>
public enum ScaleSetVmUpdateAnswer
{
    /// <summary>202 with the VM (provisioningState Updating), Location and Retry-After (the spec's ArmAcceptedLroResponse with ArmLroLocationHeader, and the MaximumSet example's 202).</summary>
    AcceptedWithLocation,

    /// <summary>200 with the VM still Updating and no operation header: the client GETs the VM until its provisioningState ends.</summary>
    OkUpdating,
}

/// <summary>
/// ARM's call-rate headers, as "Understand how Azure Resource Manager throttles requests" and
/// Compute's "Troubleshooting API throttling errors" describe them: every ARM answer says what is
/// left of the subscription's budget (x-ms-ratelimit-remaining-subscription-reads for a GET,
/// -writes for others, and -deletes for a DELETE), and Microsoft.Compute adds the policies its
/// request counts against, "Microsoft.Compute/{policy};{remaining}" separated by commas (e.g.
/// PutVM3Min;239,PutVM30Min;1199), with x-ms-request-charge. A throttled (429) answer says 0 for the
/// policy. The counts are this double's, over sliding 3- and 30-minute windows.
/// </summary>
public sealed partial class ArmSimulator
{
    private readonly Dictionary<string, List<DateTimeOffset>> _charged = new(StringComparer.Ordinal);
    private readonly List<(DateTimeOffset At, string Method, string Path)> _received = [];
    private int _subscriptionReads = 12000;
    private int _subscriptionWrites = 1200;
    private int _subscriptionDeletes = 15000;

    /// <summary>How a scale-set VM's update is answered from now on (the 202 with Location by default).</summary>
    public ScaleSetVmUpdateAnswer ScaleSetVmUpdates { get; set; } = ScaleSetVmUpdateAnswer.AcceptedWithLocation;

    /// <summary>When each ARM request arrived, in order: for tests of what a client waited.</summary>
    public IReadOnlyList<(DateTimeOffset At, string Method, string Path)> Received()
    {
        lock (_lock)
        {
            return [.. _received];
        }
    }

    /// <summary>Counts the request and writes the call-rate headers ARM and Compute add to every answer.</summary>
    private void RateLimitHeaders(HttpContext context, string path, bool throttled)
    {
        var method = context.Request.Method;
        var headers = context.Response.Headers;
        var now = DateTimeOffset.UtcNow;
        lock (_lock)
        {
            _received.Add((now, method, path));
            if (method == "GET")
            {
                headers["x-ms-ratelimit-remaining-subscription-reads"] = Math.Max(0, --_subscriptionReads).ToString(CultureInfo.InvariantCulture);
            }
            else
            {
                headers["x-ms-ratelimit-remaining-subscription-writes"] = Math.Max(0, --_subscriptionWrites).ToString(CultureInfo.InvariantCulture);
                if (method == "DELETE")
                {
                    headers["x-ms-ratelimit-remaining-subscription-deletes"] = Math.Max(0, --_subscriptionDeletes).ToString(CultureInfo.InvariantCulture);
                }
            }

            if (ComputePolicies(method, path) is not { } policies)
            {
                return;
            }

            var remaining = new List<string>();
            foreach (var (policy, limit, window) in policies)
            {
                if (!_charged.TryGetValue(policy, out var times))
                {
                    times = [];
                    _charged[policy] = times;
                }

                times.RemoveAll(t => t < now - TimeSpan.FromMinutes(30));
                times.Add(now);
                var used = times.Count(t => t >= now - window);
                remaining.Add($"Microsoft.Compute/{policy};{(throttled ? 0 : Math.Max(0, limit - used)).ToString(CultureInfo.InvariantCulture)}");
            }

            headers["x-ms-ratelimit-remaining-resource"] = string.Join(',', remaining);
            headers["x-ms-request-charge"] = "1";
        }
    }

    /// <summary>The Compute throttling policies a request counts against, with their limits (as the Compute docs' examples name them), or null outside Microsoft.Compute.</summary>
    private static (string Policy, int Limit, TimeSpan Window)[]? ComputePolicies(string method, string path)
    {
        if (!path.Contains("/providers/Microsoft.Compute/", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var three = TimeSpan.FromMinutes(3);
        var thirty = TimeSpan.FromMinutes(30);
        var disk = path.Contains("/disks", StringComparison.OrdinalIgnoreCase);
        var scaleSet = path.Contains("/virtualMachineScaleSets/", StringComparison.OrdinalIgnoreCase);
        return (method, disk, scaleSet) switch
        {
            ("GET", true, _) => [("GetDisk3Min", 5000, three), ("GetDisk30Min", 40000, thirty)],
            ("DELETE", true, _) => [("DeleteDisk3Min", 1000, three), ("DeleteDisk30Min", 8000, thirty)],
            (_, true, _) => [("CreateUpdateDisks3Min", 1000, three), ("CreateUpdateDisks30Min", 8000, thirty)],
            ("GET", _, true) => [("HighCostGetVMScaleSet3Min", 900, three), ("HighCostGetVMScaleSet30Min", 7200, thirty)],
            (_, _, true) => [("VMScaleSetVMUpdate3Min", 240, three), ("VMScaleSetVMUpdate30Min", 1200, thirty)],
            ("GET", _, _) => [("LowCostGet3Min", 4000, three), ("LowCostGet30Min", 32000, thirty)],
            _ => [("PutVM3Min", 240, three), ("PutVM30Min", 1200, thirty)],
        };
    }
}
