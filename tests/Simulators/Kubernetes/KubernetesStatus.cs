using System.Net;
using System.Text.Json.Nodes;

namespace Simulators.Kubernetes;

/// <summary>
/// The API server's meta/v1 Status bodies for failures, with the reasons and messages it uses
/// (k8s.io/apimachinery/pkg/api/errors).
/// </summary>
internal static class KubernetesStatus
{
    public static JsonObject Failure(HttpStatusCode code, string reason, string message, JsonObject? details = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
        };
        if (details is not null)
        {
            status["details"] = details;
        }

        status["code"] = (int)code;
        return status;
    }

    public static JsonObject NotFound(KubernetesResource resource, string name) =>
        Failure(HttpStatusCode.NotFound, "NotFound", $"{Qualified(resource)} \"{name}\" not found", Details(resource, name));

    public static JsonObject AlreadyExists(KubernetesResource resource, string name) =>
        Failure(HttpStatusCode.Conflict, "AlreadyExists", $"{Qualified(resource)} \"{name}\" already exists", Details(resource, name));

    public static JsonObject Conflict(KubernetesResource resource, string name) =>
        Failure(HttpStatusCode.Conflict, "Conflict", $"Operation cannot be fulfilled on {Qualified(resource)} \"{name}\": the object has been modified; please apply your changes to the latest version and try again", Details(resource, name));

    public static JsonObject Invalid(KubernetesResource resource, string name, string field, string message) =>
        Failure(HttpStatusCode.UnprocessableEntity, "Invalid", $"{resource.Kind} \"{name}\" is invalid: {field}: {message}", Details(resource, name));

    public static JsonObject Expired(string message) => Failure(HttpStatusCode.Gone, "Expired", message);

    public static JsonObject BadRequest(string message) => Failure(HttpStatusCode.BadRequest, "BadRequest", message);

    public static JsonObject Unauthorized() => Failure(HttpStatusCode.Unauthorized, "Unauthorized", "Unauthorized");

    private static string Qualified(KubernetesResource resource) => resource.Group.Length == 0 ? resource.Plural : $"{resource.Plural}.{resource.Group}";

    private static JsonObject Details(KubernetesResource resource, string name)
    {
        var details = new JsonObject { ["name"] = name };
        if (resource.Group.Length > 0)
        {
            details["group"] = resource.Group;
        }

        details["kind"] = resource.Plural;
        return details;
    }
}
