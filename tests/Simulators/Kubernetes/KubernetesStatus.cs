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

    public static JsonObject Conflict(KubernetesResource resource, string name, string reason = "the object has been modified; please apply your changes to the latest version and try again") =>
        Failure(HttpStatusCode.Conflict, "Conflict", $"Operation cannot be fulfilled on {Qualified(resource)} \"{name}\": {reason}", Details(resource, name));

    /// <summary>
    /// NewInvalid: "Kind.group \"name\" is invalid: field: Type: detail" (errors joined as "[a, b]"),
    /// details with the singular kind and one cause per field error (field.Error in
    /// k8s.io/apimachinery/pkg/util/validation/field/errors.go).
    /// </summary>
    public static JsonObject Invalid(KubernetesResource resource, string name, string field, string message) =>
        Invalid(resource.Group, resource.Kind, name, [(field, message)]);

    public static JsonObject Invalid(string group, string kind, string name, IReadOnlyList<(string Field, string Message)> errors)
    {
        var texts = errors.Select(e => $"{e.Field}: {e.Message}").ToList();
        var causes = new JsonArray();
        foreach (var (field, message) in errors)
        {
            causes.Add(new JsonObject { ["reason"] = CauseType(message), ["message"] = message, ["field"] = field });
        }

        var details = new JsonObject { ["name"] = name };
        if (group.Length > 0)
        {
            details["group"] = group;
        }

        details["kind"] = kind;
        details["causes"] = causes;
        var qualified = group.Length == 0 ? kind : $"{kind}.{group}";
        return Failure(HttpStatusCode.UnprocessableEntity, "Invalid", $"{qualified} \"{name}\" is invalid: {(texts.Count == 1 ? texts[0] : "[" + string.Join(", ", texts) + "]")}", details);
    }

    /// <summary>
    /// What the authorization filter answers (k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go
    /// forbiddenMessage, and NewForbidden in k8s.io/apimachinery/pkg/api/errors/errors.go).
    /// </summary>
    public static JsonObject Forbidden(KubernetesResource resource, string subresource, string name, string namespaceName, string user, string verb)
    {
        var combined = subresource.Length == 0 ? resource.Plural : $"{resource.Plural}/{subresource}";
        var reason = namespaceName.Length > 0
            ? $"User \"{user}\" cannot {verb} resource \"{combined}\" in API group \"{resource.Group}\" in the namespace \"{namespaceName}\""
            : $"User \"{user}\" cannot {verb} resource \"{combined}\" in API group \"{resource.Group}\" at the cluster scope";
        var message = name.Length == 0 ? $"{Qualified(resource)} is forbidden: {reason}" : $"{Qualified(resource)} \"{name}\" is forbidden: {reason}";
        return Failure(HttpStatusCode.Forbidden, "Forbidden", message, Details(resource, name));
    }

    /// <summary>NewUnsupportedMediaTypeError (k8s.io/apimachinery/pkg/runtime/error.go).</summary>
    public static JsonObject UnsupportedMediaType(IEnumerable<string> accepted, string note) =>
        Failure(HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: {string.Join(", ", accepted)}{note}");

    /// <summary>The answer to a delete of a kind whose registry does not return the deleted object.</summary>
    public static JsonObject Success(KubernetesResource resource, string name, string? uid)
    {
        var details = Details(resource, name);
        if (uid is not null)
        {
            details["uid"] = uid;
        }

        return new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
            ["details"] = details,
        };
    }

    public static JsonObject Expired(string message) => Failure(HttpStatusCode.Gone, "Expired", message);

    public static JsonObject BadRequest(string message) => Failure(HttpStatusCode.BadRequest, "BadRequest", message);

    public static JsonObject Unauthorized() => Failure(HttpStatusCode.Unauthorized, "Unauthorized", "Unauthorized");

    private static string Qualified(KubernetesResource resource) => resource.Group.Length == 0 ? resource.Plural : $"{resource.Plural}.{resource.Group}";

    private static string CauseType(string message) =>
        message.StartsWith("Required value", StringComparison.Ordinal) ? "FieldValueRequired"
        : message.StartsWith("Forbidden", StringComparison.Ordinal) ? "FieldValueForbidden"
        : message.StartsWith("Unsupported value", StringComparison.Ordinal) ? "FieldValueNotSupported"
        : message.StartsWith("Duplicate value", StringComparison.Ordinal) ? "FieldValueDuplicate"
        : "FieldValueInvalid";

    private static JsonObject Details(KubernetesResource resource, string name)
    {
        var details = new JsonObject();
        if (name.Length > 0)
        {
            details["name"] = name;
        }

        if (resource.Group.Length > 0)
        {
            details["group"] = resource.Group;
        }

        details["kind"] = resource.Plural;
        return details;
    }
}
