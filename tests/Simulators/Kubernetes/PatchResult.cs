using System.Text.Json.Nodes;

namespace Simulators.Kubernetes;

/// <summary>
/// What applying a patch gave: the patched object, or why not — a patch that cannot be read is a
/// 400 BadRequest, one that reads but does not apply a 422 (k8s.io/apiserver/pkg/endpoints/handlers/patch.go).
/// </summary>
internal sealed record PatchResult(JsonObject? Object, bool IsMalformed, string? Problem)
{
    public static PatchResult Patched(JsonObject value) => new(value, false, null);

    public static PatchResult Malformed(string problem) => new(null, true, problem);

    public static PatchResult NotApplicable(string problem) => new(null, false, problem);
}
