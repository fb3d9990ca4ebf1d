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

    /// <summary>The field errors of a Lease or Event, as the validation code words them.</summary>
    public static IReadOnlyList<(string Field, string Message)> Validate(KubernetesResource resource, string namespaceName, JsonObject body)
    {
        var errors = new List<(string, string)>();
        if (resource == KubernetesResource.Leases)
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

    private static decimal Number(JsonValue value) =>
        decimal.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : 0;
}
