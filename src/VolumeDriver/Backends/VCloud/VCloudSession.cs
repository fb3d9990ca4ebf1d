using System.Text.Json.Serialization;

namespace VolumeDriver.Backends.VCloud;

/// <summary>
/// A logged-in session as it is cached between invocations: the token and what was learnt with it
/// (the API version and the org and VDC hrefs), so that a warm verb goes straight to its query.
/// </summary>
/// <param name="Token">The x-vcloud-authorization token or the CloudAPI bearer token.</param>
/// <param name="IsBearer">True for a CloudAPI (API ≥ 33) bearer token.</param>
/// <param name="ApiVersion">The negotiated version every request names.</param>
/// <param name="UuidApiVersion">A version ≥ 36 the server supports, used to read disk UUIDs; null when it has none.</param>
internal sealed record VCloudSession(
    string Token,
    bool IsBearer,
    string ApiVersion,
    string? UuidApiVersion,
    Uri OrgHref,
    Uri VdcHref)
{
    public VCloudApiVersion Version => VCloudApiVersion.TryParse(ApiVersion, out var v) ? v : throw new VCloudProtocolException($"cached API version '{ApiVersion}' is not a version");

    public VCloudApiVersion? UuidVersion => VCloudApiVersion.TryParse(UuidApiVersion, out var v) ? v : null;

    /// <summary>Never print the token.</summary>
    public override string ToString() => $"vCloud session (API {ApiVersion}, {(IsBearer ? "bearer" : "legacy")} token)";
}
