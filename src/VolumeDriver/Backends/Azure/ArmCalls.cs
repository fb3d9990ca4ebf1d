using Azure;
using Azure.Core;
using VolumeDriver.CloudCalls;

namespace VolumeDriver.Backends.Azure;

/// <summary>What every ARM call of the Azure backend shares: how refusals become Failures, and how ids compare.</summary>
internal static class ArmCalls
{
    /// <summary>ARM's OperationNotAllowed for a managed disk on a VM with blob-based disks: permanent, unlike a busy VM.</summary>
    public static bool IsBlobBasedVmRefusal(RequestFailedException e) => e.Message.Contains("blob based disks", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// ARM's refusal of more data disks than the VM's size allows: OperationNotAllowed (409) saying
    /// "The maximum number of data disks allowed to be attached to a VM of this size is N", or the
    /// MaximumDataDiskExceeded code older API versions used. Permanent until a disk leaves.
    /// </summary>
    public static bool IsDataDiskLimit(RequestFailedException e) =>
        e.ErrorCode == "MaximumDataDiskExceeded" || e.Message.Contains("maximum number of data disks", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Turns ARM's refusals into Failures a person understands: a <see cref="CloudRequestException"/>
    /// (the SDK's <see cref="RequestFailedException"/> inside) naming ARM's request and correlation ids.
    /// </summary>
    public static async Task<T> Call<T>(string what, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RequestFailedException e)
        {
            var explanation = e.ErrorCode switch
            {
                _ when e.Status == 429 => "ARM is throttling this subscription's requests (the SDK already waited the Retry-After it asked for); kubelet's retry will try again later",
                "ConflictingUserInput" => "the disk is attached to another VM; it must be detached there first",
                "AttachDiskWhileBeingDetached" => "the disk is still being detached; kubelet's retry will attach it once that ends",
                _ when IsDataDiskLimit(e) => "the VM's size allows no more data disks; detach one, or move the pod to a node of a larger size",
                "OperationNotAllowed" when IsBlobBasedVmRefusal(e) => "the VM's disks are blob VHDs, and Azure attaches no managed disk to such a VM; use a blob disk (kind shared or dedicated)",
                "OperationNotAllowed" => "another operation is updating the VM; kubelet's retry will try again",
                "OperationPreempted" => "a newer update of the VM replaced this one; kubelet's retry will try again",
                _ => null,
            };
            var first = e.Message.Split('\n', 2)[0].Trim();
            throw new CloudRequestException(CloudService.Arm, what, e.Status, e.ErrorCode, RequestIds(CloudService.Arm, e), $"Azure refused {what} ({e.Status} {e.ErrorCode}): {first}{(explanation is null ? string.Empty : "; " + explanation)}", e);
        }
    }

    /// <summary>
    /// The resource, or null when ARM answers 404. Azure.ResourceManager.Compute 1.2.0 has no
    /// GetIfExists, and a missing disk or VM is an ordinary answer for an idempotent verb.
    /// </summary>
    public static async Task<T?> GetOrNullAsync<T>(Func<Task<Response<T>>> get)
        where T : class
    {
        try
        {
            return (await get()).Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <summary>The ids <paramref name="service"/> gave the request the SDK's exception is about.</summary>
    public static CloudRequestIds RequestIds(CloudService service, RequestFailedException e) =>
        e.GetRawResponse() is { } response
            ? CloudRequestIds.From(service, name => response.Headers.TryGetValue(name, out var value) ? value : null)
            : CloudRequestIds.None;

    /// <summary>ARM ids compare without case: ARM returns its own casing, users type theirs.</summary>
    public static bool SameResource(ResourceIdentifier a, ResourceIdentifier b) => string.Equals(a.ToString(), b.ToString(), StringComparison.OrdinalIgnoreCase);
}
