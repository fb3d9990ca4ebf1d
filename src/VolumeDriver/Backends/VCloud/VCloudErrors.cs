using System.Net;
using VolumeDriver.CloudCalls;

namespace VolumeDriver.Backends.VCloud;

/// <summary>
/// What vCD's refusals mean to this backend. A refusal is a <see cref="CloudRequestException"/>
/// whose <see cref="CloudRequestException.ErrorCode"/> is the <c>Error</c> element's minor code
/// (BUSY_ENTITY, ACCESS_TO_RESOURCE_IS_FORBIDDEN...).
/// </summary>
internal static class VCloudErrors
{
    public const string BusyEntity = "BUSY_ENTITY";

    extension(CloudRequestException e)
    {
        /// <summary>Another task runs on the VM or disk: worth retrying after a pause.</summary>
        public bool IsBusyEntity => e.Service == CloudService.VCloud && e.Status == (int)HttpStatusCode.BadRequest && string.Equals(e.ErrorCode, BusyEntity, StringComparison.Ordinal);

        /// <summary>
        /// vCD answers 403 for an entity that does not exist (or that this user may not see), rarely 404;
        /// both mean "not there" to this backend.
        /// </summary>
        public bool IsNotFound => e.Service == CloudService.VCloud && e.Status is (int)HttpStatusCode.Forbidden or (int)HttpStatusCode.NotFound;
    }
}
