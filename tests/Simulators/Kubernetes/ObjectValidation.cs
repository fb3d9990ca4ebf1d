using System.Globalization;
using System.Text.Json.Nodes;

namespace Simulators.Kubernetes;

/// <summary>
/// What the API server checks in a Lease or an Event before storing it.
/// - Decoding: MicroTime fields (Lease spec.acquireTime/renewTime, Event eventTime and
///   series.lastObservedTime) are parsed with the layout RFC3339Micro
///   "2006-01-02T15:04:05.000000Z07:00", exactly six fractional digits
///   (k8s.io/apimachinery/pkg/apis/meta/v1/micro_time.go UnmarshalJSON); anything else fails the
///   decode, a 400. They are written back in UTC with six digits (MarshalJSON), so a client's time
///   round-trips only if it sent that form.
/// - Lease validation (pkg/apis/coordination/validation/validation.go ValidateLeaseSpec):
///   leaseDurationSeconds &gt; 0, leaseTransitions &gt;= 0.
/// - Event validation (pkg/apis/core/validation/events.go legacyValidateEvent): an event without
///   eventTime must be in its involved object's namespace (or, for a cluster-scoped object, in
///   "default" or no namespace); one with eventTime needs reportingComponent, reportingInstance and action.
/// - PersistentVolume validation (pkg/apis/core/validation/validation.go ValidatePersistentVolumeSpec):
///   accessModes and capacity (storage only) required, known access modes, reclaim policies and
///   volume modes, exactly one volume source, a flexVolume with a driver. PersistentVolumeClaim
///   (ValidatePersistentVolumeClaimSpec): accessModes and resources.requests.storage required.
/// - Every name is a DNS subdomain (NameIsDNSSubdomain, k8s.io/apimachinery/pkg/util/validation).
/// </summary>
internal static class ObjectValidation
{
    /// <summary>Why the body cannot be decoded as the kind, or null; normalises its MicroTimes.</summary>
    public static string? Decode(KubernetesResource resource, JsonObject body)
    {
        string[][] microTimes = resource == KubernetesResource.Leases ? [["spec", "acquireTime"], ["spec", "renewTime"]]
            : resource == KubernetesResource.Events ? [["eventTime"], ["series", "lastObservedTime"]]
            : [];
        foreach (var path in microTimes)
        {
            var parent = path[..^1].Aggregate((JsonNode?)body, (node, part) => node?[part]) as JsonObject;
            if (parent?[path[^1]] is not JsonValue value)
            {
                continue;
            }

            var text = (string?)value;
            if (text is null || !DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", "yyyy-MM-dd'T'HH:mm:ss.ffffffzzz"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            {
                return $"{resource.Kind} in version \"{resource.Version}\" cannot be handled as a {resource.Kind}: parsing time \"{text}\" as \"2006-01-02T15:04:05.000000Z07:00\": cannot parse \"{text}\" as RFC3339Micro";
            }

            parent[path[^1]] = time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        }

        return null;
    }

    private static readonly string[] AccessModes = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];

    /// <summary>The volume sources a PersistentVolumeSpec may carry (one of them).</summary>
    private static readonly string[] VolumeSources =
    [
        "hostPath", "gcePersistentDisk", "awsElasticBlockStore", "glusterfs", "flocker", "nfs", "rbd", "quobyte", "cephfs", "iscsi",
        "cinder", "fc", "flexVolume", "azureFile", "vsphereVolume", "photonPersistentDisk", "portworxVolume", "azureDisk", "scaleIO",
        "local", "storageos", "csi",
    ];

    /// <summary>The field errors of an object, as the validation code words them.</summary>
    public static IReadOnlyList<(string Field, string Message)> Validate(KubernetesResource resource, string namespaceName, JsonObject body)
    {
        var errors = new List<(string, string)>();
        var name = (string?)body["metadata"]?["name"] ?? "";
        if (!IsDnsSubdomain(name))
        {
            errors.Add(("metadata.name", $"Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
        }

        if (resource == KubernetesResource.PersistentVolumes)
        {
            ValidateVolume(body["spec"] as JsonObject ?? [], errors);
        }
        else if (resource == KubernetesResource.PersistentVolumeClaims)
        {
            if ((body["spec"]?["accessModes"] as JsonArray ?? []).Count == 0)
            {
                errors.Add(("spec.accessModes", "Required value: at least 1 access mode is required"));
            }

            if (body["spec"]?["resources"]?["requests"]?["storage"] is null)
            {
                errors.Add(("spec.resources[storage]", "Required value"));
            }
        }
        else if (resource == KubernetesResource.Leases)
        {
            if (body["spec"]?["leaseDurationSeconds"] is JsonValue duration && Number(duration) <= 0)
            {
                errors.Add(("spec.leaseDurationSeconds", $"Invalid value: {Number(duration)}: must be greater than 0"));
            }

            if (body["spec"]?["leaseTransitions"] is JsonValue transitions && Number(transitions) < 0)
            {
                errors.Add(("spec.leaseTransitions", $"Invalid value: {Number(transitions)}: must be greater than or equal to 0"));
            }
        }
        else if (resource == KubernetesResource.Events)
        {
            var involvedNamespace = (string?)body["involvedObject"]?["namespace"] ?? "";
            if (body["eventTime"] is null)
            {
                var matches = involvedNamespace.Length == 0 ? namespaceName is "" or "default" : namespaceName == involvedNamespace;
                if (!matches)
                {
                    errors.Add(("involvedObject.namespace", $"Invalid value: \"{involvedNamespace}\": does not match event.namespace"));
                }
            }
            else
            {
                if (involvedNamespace.Length == 0 && namespaceName is not ("default" or "kube-system"))
                {
                    errors.Add(("involvedObject.namespace", $"Invalid value: \"{involvedNamespace}\": does not match event.namespace"));
                }

                foreach (var field in new[] { "reportingComponent", "reportingInstance", "action" })
                {
                    if (string.IsNullOrEmpty((string?)body[field]))
                    {
                        errors.Add((field, "Required value"));
                    }
                }
            }
        }

        return errors;
    }

    private static void ValidateVolume(JsonObject spec, List<(string, string)> errors)
    {
        var modes = spec["accessModes"] as JsonArray ?? [];
        if (modes.Count == 0)
        {
            errors.Add(("spec.accessModes", "Required value"));
        }

        foreach (var mode in modes.Select(m => (string?)m).Where(m => !AccessModes.Contains(m)))
        {
            errors.Add(("spec.accessModes", $"Unsupported value: \"{mode}\": supported values: {string.Join(", ", AccessModes.Select(m => $"\"{m}\""))}"));
        }

        var capacity = spec["capacity"] as JsonObject ?? [];
        if (capacity.Count == 0)
        {
            errors.Add(("spec.capacity", "Required value"));
        }

        if (!capacity.ContainsKey("storage") || capacity.Count > 1)
        {
            errors.Add(("spec.capacity", $"Unsupported value: {capacity.ToJsonString()}: supported values: \"storage\""));
        }

        if ((string?)spec["persistentVolumeReclaimPolicy"] is { Length: > 0 } policy && policy is not ("Delete" or "Recycle" or "Retain"))
        {
            errors.Add(("spec.persistentVolumeReclaimPolicy", $"Unsupported value: \"{policy}\": supported values: \"Delete\", \"Recycle\", \"Retain\""));
        }

        if ((string?)spec["volumeMode"] is { } volumeMode && volumeMode is not ("Block" or "Filesystem"))
        {
            errors.Add(("spec.volumeMode", $"Unsupported value: \"{volumeMode}\": supported values: \"Block\", \"Filesystem\""));
        }

        var sources = VolumeSources.Where(spec.ContainsKey).ToList();
        if (sources.Count == 0)
        {
            errors.Add(("spec", "Required value: must specify a volume type"));
        }

        foreach (var extra in sources.Skip(1))
        {
            errors.Add(($"spec.{extra}", "Forbidden: may not specify more than 1 volume type"));
        }

        if (spec["flexVolume"] is JsonObject flex && string.IsNullOrEmpty((string?)flex["driver"]))
        {
            errors.Add(("spec.flexVolume.driver", "Required value"));
        }
    }

    private static bool IsDnsSubdomain(string name) =>
        name.Length is > 0 and <= 253
        && name.Split('.').All(label => label.Length > 0
            && char.IsAsciiLetterLower(label[0]) | char.IsAsciiDigit(label[0])
            && char.IsAsciiLetterLower(label[^1]) | char.IsAsciiDigit(label[^1])
            && label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'));

    private static decimal Number(JsonValue value) =>
        decimal.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : 0;
}
