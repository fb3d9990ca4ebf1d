using VolumeDriver.CloudCalls;

namespace VolumeDriver.Kubernetes;

/// <summary>
/// The Status reasons callers branch on (k8s.io/apimachinery/pkg/api/errors), as questions on the
/// one cloud-call exception: <c>catch (CloudRequestException e) when (e.IsConflict())</c>.
/// </summary>
internal static class KubernetesErrors
{
    public const string NotFound = "NotFound";
    public const string AlreadyExists = "AlreadyExists";

    /// <summary>An update from a stale resourceVersion, or a failed delete precondition.</summary>
    public const string Conflict = "Conflict";

    /// <summary>A watch or list continuation from a resourceVersion the server no longer has (410).</summary>
    public const string Expired = "Expired";

    /// <summary>Older servers' word for <see cref="Expired"/> (also 410).</summary>
    public const string Gone = "Gone";

    public const string Invalid = "Invalid";

    public static bool IsKubernetes(this CloudRequestException e) => e.Service == CloudService.Kubernetes;

    public static bool IsNotFound(this CloudRequestException e) => e.IsKubernetes() && e.Status == 404;

    public static bool IsAlreadyExists(this CloudRequestException e) => e.IsKubernetes() && e.Status == 409 && e.ErrorCode == AlreadyExists;

    /// <summary>A 409 that is not AlreadyExists: someone else changed the object first; read it again and redo the change.</summary>
    public static bool IsConflict(this CloudRequestException e) => e.IsKubernetes() && e.Status == 409 && e.ErrorCode != AlreadyExists;

    /// <summary>410: the resourceVersion asked for is too old; list again and watch from the new list's version.</summary>
    public static bool IsGone(this CloudRequestException e) => e.IsKubernetes() && (e.Status == 410 || e.ErrorCode is Expired or Gone);

    /// <summary>422: the object failed validation.</summary>
    public static bool IsInvalid(this CloudRequestException e) => e.IsKubernetes() && e.Status == 422;
}
