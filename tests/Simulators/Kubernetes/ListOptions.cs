using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Simulators.Kubernetes;

/// <summary>
/// The API server's validation of list and watch query options, with its messages
/// (k8s.io/apimachinery/pkg/apis/meta/internalversion/validation/validation.go ValidateListOptions):
/// a failure is a 422 Invalid on "ListOptions.meta.k8s.io".
/// </summary>
internal static class ListOptions
{
    public static JsonObject? Validate(IQueryCollection query, bool watch, bool watchListEnabled)
    {
        var match = (string?)query["resourceVersionMatch"] ?? "";
        var resourceVersion = (string?)query["resourceVersion"] ?? "";
        var hasContinue = !string.IsNullOrEmpty(query["continue"]);
        var sendInitialEvents = query.ContainsKey("sendInitialEvents");
        var errors = new List<(string, string)>();
        if (watch)
        {
            if (sendInitialEvents)
            {
                if (match != "NotOlderThan")
                {
                    errors.Add(("resourceVersionMatch", "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"));
                }

                if (!watchListEnabled)
                {
                    errors.Add(("sendInitialEvents", "Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled"));
                }
            }

            if (match.Length > 0)
            {
                if (!sendInitialEvents)
                {
                    errors.Add(("resourceVersionMatch", "Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"));
                }

                if (match != "NotOlderThan")
                {
                    errors.Add(("resourceVersionMatch", $"Unsupported value: \"{match}\": supported values: \"NotOlderThan\""));
                }

                if (hasContinue)
                {
                    errors.Add(("resourceVersionMatch", "Forbidden: resourceVersionMatch is forbidden when continue is provided"));
                }
            }
        }
        else
        {
            if (match.Length > 0)
            {
                if (resourceVersion.Length == 0)
                {
                    errors.Add(("resourceVersionMatch", "Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided"));
                }

                if (hasContinue)
                {
                    errors.Add(("resourceVersionMatch", "Forbidden: resourceVersionMatch is forbidden when continue is provided"));
                }

                if (match is not ("Exact" or "NotOlderThan"))
                {
                    errors.Add(("resourceVersionMatch", $"Unsupported value: \"{match}\": supported values: \"Exact\", \"NotOlderThan\", \"\""));
                }

                if (match == "Exact" && resourceVersion == "0")
                {
                    errors.Add(("resourceVersionMatch", "Forbidden: resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\""));
                }
            }

            if (sendInitialEvents)
            {
                errors.Add(("sendInitialEvents", "Forbidden: sendInitialEvents is forbidden for list"));
            }
        }

        return errors.Count == 0 ? null : KubernetesStatus.Invalid("meta.k8s.io", "ListOptions", "", errors);
    }
}
