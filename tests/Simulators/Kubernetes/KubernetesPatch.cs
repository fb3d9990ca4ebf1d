using System.Globalization;
using System.Text.Json.Nodes;

namespace Simulators.Kubernetes;

/// <summary>
/// The three patch formats the API server accepts for built-in kinds, chosen by Content-Type
/// (https://kubernetes.io/docs/tasks/manage-kubernetes-objects/update-api-object-kubectl-patch/,
/// and k8s.io/apiserver/pkg/endpoints/handlers/patch.go):
/// - application/json-patch+json: RFC 6902 (add, remove, replace, move, copy, test); a malformed
///   patch is a 400, one that does not apply (a missing path, a failed test) a 422;
/// - application/merge-patch+json: RFC 7386 (lists are replaced whole);
/// - application/strategic-merge-patch+json: merge patch, except that lists whose Go field carries
///   <c>patchStrategy:"merge"</c> are merged (by their <c>patchMergeKey</c>, or as a set of
///   primitives), with the directives <c>$patch</c> (replace, delete, merge),
///   <c>$deleteFromPrimitiveList/&lt;field&gt;</c> and <c>$setElementOrder/&lt;field&gt;</c>
///   (community/contributors/devel/sig-api-machinery/strategic-merge-patch.md). The merge lists of
///   the kinds served here are in <see cref="MergeLists"/>, read from the patchStrategy tags of
///   k8s.io/apimachinery/pkg/apis/meta/v1/types.go (ObjectMeta) and k8s.io/api/core/v1/types.go.
///   <c>$retainKeys</c> applies only to fields none of these kinds have, so it is refused.
/// Server-side apply (application/apply-patch+yaml) is not served by this double: it answers 415,
/// and says so.
/// </summary>
internal static class KubernetesPatch
{
    public const string JsonPatch = "application/json-patch+json";
    public const string MergePatch = "application/merge-patch+json";
    public const string StrategicMergePatch = "application/strategic-merge-patch+json";

    /// <summary>The accepted types, in the API server's order for built-in kinds.</summary>
    public static readonly IReadOnlyList<string> Accepted = [JsonPatch, MergePatch, StrategicMergePatch];

    /// <summary>List fields merged rather than replaced by a strategic merge patch: path → merge key ("" for a set of primitives).</summary>
    private static readonly Dictionary<string, string> CommonMergeLists = new(StringComparer.Ordinal)
    {
        ["metadata.finalizers"] = "",
        ["metadata.ownerReferences"] = "uid",
    };

    /// <summary>Applies <paramref name="patch"/> to a copy of <paramref name="current"/>; the result, or the reason it does not apply.</summary>
    public static PatchResult Apply(KubernetesResource resource, string contentType, JsonObject current, JsonNode? patch)
    {
        try
        {
            return contentType switch
            {
                JsonPatch when patch is JsonArray operations => ApplyJsonPatch((JsonObject)current.DeepClone(), operations),
                JsonPatch => PatchResult.Malformed("json: cannot unmarshal object into Go value of type jsonpatch.Patch"),
                MergePatch when patch is JsonObject merge => PatchResult.Patched(Merge((JsonObject)current.DeepClone(), merge)),
                StrategicMergePatch when patch is JsonObject strategic => PatchResult.Patched(Strategic((JsonObject)current.DeepClone(), strategic, "", MergeLists(resource))),
                _ => PatchResult.Malformed($"the patch is not a JSON object: {patch?.ToJsonString()}"),
            };
        }
        catch (PatchException e)
        {
            return e.Malformed ? PatchResult.Malformed(e.Message) : PatchResult.NotApplicable(e.Message);
        }
    }

    /// <summary>The merge lists of <paramref name="resource"/> (patchStrategy:"merge" tags in k8s.io/api/core/v1/types.go).</summary>
    public static IReadOnlyDictionary<string, string> MergeLists(KubernetesResource resource)
    {
        var lists = new Dictionary<string, string>(CommonMergeLists, StringComparer.Ordinal);
        if (resource == KubernetesResource.Nodes)
        {
            lists["spec.podCIDRs"] = "";
            lists["status.conditions"] = "type";
            lists["status.addresses"] = "type";
        }
        else if (resource == KubernetesResource.PersistentVolumeClaims)
        {
            lists["status.conditions"] = "type";
        }

        return lists;
    }

    /// <summary>RFC 7386 JSON merge patch.</summary>
    public static JsonObject Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (field, value) in patch)
        {
            if (value is null)
            {
                target.Remove(field);
            }
            else if (value is JsonObject patchObject && target[field] is JsonObject targetObject)
            {
                Merge(targetObject, patchObject);
            }
            else if (value is JsonObject newObject)
            {
                // A merge patch's object on a missing or non-object field is merged into an empty one: nulls in it vanish.
                target[field] = Merge([], newObject);
            }
            else
            {
                target[field] = value.DeepClone();
            }
        }

        return target;
    }

    private static PatchResult ApplyJsonPatch(JsonObject document, JsonArray operations)
    {
        JsonNode root = document;
        foreach (var operation in operations)
        {
            if (operation is not JsonObject op || (string?)op["op"] is not { } name || (string?)op["path"] is not { } path)
            {
                throw new PatchException(true, $"invalid JSON patch operation: {operation?.ToJsonString()}");
            }

            switch (name)
            {
                case "add":
                    Add(root, path, Required(op, "value"));
                    break;
                case "remove":
                    Remove(root, path);
                    break;
                case "replace":
                    Remove(root, path);
                    Add(root, path, Required(op, "value"));
                    break;
                case "move":
                    var moved = Resolve(root, From(op));
                    Remove(root, From(op));
                    Add(root, path, moved);
                    break;
                case "copy":
                    Add(root, path, Resolve(root, From(op)));
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Resolve(root, path), op["value"]))
                    {
                        throw new PatchException(false, $"testing value {path} failed: test failed");
                    }

                    break;
                default:
                    throw new PatchException(true, $"Unexpected kind: {name}");
            }
        }

        return PatchResult.Patched(document);
    }

    private static JsonNode? Required(JsonObject op, string field) =>
        op.TryGetPropertyValue(field, out var value) ? value?.DeepClone() : throw new PatchException(true, $"missing '{field}' in JSON patch operation {op.ToJsonString()}");

    private static string From(JsonObject op) =>
        (string?)op["from"] ?? throw new PatchException(true, $"missing 'from' in JSON patch operation {op.ToJsonString()}");

    /// <summary>RFC 6901 pointer tokens, unescaped (~1 is '/', ~0 is '~').</summary>
    private static string[] Tokens(string pointer) =>
        pointer.Length == 0 ? [] :
        pointer.StartsWith('/') ? [.. pointer[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))] :
        throw new PatchException(true, $"JSON pointer must be empty or start with a \"/\": {pointer}");

    private static JsonNode? Resolve(JsonNode root, string pointer)
    {
        JsonNode? node = root;
        foreach (var token in Tokens(pointer))
        {
            node = node switch
            {
                JsonObject o when o.TryGetPropertyValue(token, out var child) => child,
                JsonArray a when Index(a, token, allowEnd: false) is var i => a[i],
                _ => throw new PatchException(false, $"doc is missing path: \"{pointer}\": missing value"),
            };
        }

        return node?.DeepClone();
    }

    private static (JsonNode Parent, string Last) Parent(JsonNode root, string pointer)
    {
        var tokens = Tokens(pointer);
        if (tokens.Length == 0)
        {
            throw new PatchException(false, "replacing or removing the whole document is not supported by the API server's JSON patch");
        }

        JsonNode? parent = root;
        foreach (var token in tokens[..^1])
        {
            parent = parent switch
            {
                JsonObject o when o.TryGetPropertyValue(token, out var child) => child,
                JsonArray a => a[Index(a, token, allowEnd: false)],
                _ => null,
            };
        }

        return parent is JsonObject or JsonArray ? (parent, tokens[^1]) : throw new PatchException(false, $"doc is missing path: \"{pointer}\": missing value");
    }

    private static void Add(JsonNode root, string pointer, JsonNode? value)
    {
        var (parent, last) = Parent(root, pointer);
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a:
                a.Insert(Index(a, last, allowEnd: true), value);
                break;
        }
    }

    private static void Remove(JsonNode root, string pointer)
    {
        var (parent, last) = Parent(root, pointer);
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(last):
                o.Remove(last);
                break;
            case JsonArray a:
                a.RemoveAt(Index(a, last, allowEnd: false));
                break;
            default:
                throw new PatchException(false, $"Unable to remove nonexistent key: {last}: missing value");
        }
    }

    private static int Index(JsonArray array, string token, bool allowEnd) =>
        int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index >= 0 && (index < array.Count || (allowEnd && index == array.Count))
            ? index
            : throw new PatchException(false, $"Unable to access invalid index: {token}: invalid index referenced");

    private static JsonObject Strategic(JsonObject target, JsonObject patch, string path, IReadOnlyDictionary<string, string> mergeLists)
    {
        switch ((string?)patch["$patch"])
        {
            case "replace":
                var replacement = (JsonObject)patch.DeepClone();
                replacement.Remove("$patch");
                return replacement;
            case null or "merge":
                break;
            default:
                throw new PatchException(true, $"Unknown patch type: {(string?)patch["$patch"]} in map: {patch.ToJsonString()}");
        }

        foreach (var (field, value) in patch)
        {
            var fieldPath = path.Length == 0 ? field : $"{path}.{field}";
            if (field == "$patch")
            {
                continue;
            }

            if (field.StartsWith("$deleteFromPrimitiveList/", StringComparison.Ordinal))
            {
                var listField = field["$deleteFromPrimitiveList/".Length..];
                if (target[listField] is JsonArray list && value is JsonArray gone)
                {
                    target[listField] = new JsonArray([.. list.Where(item => !gone.Any(g => JsonNode.DeepEquals(g, item))).Select(item => item?.DeepClone())]);
                }

                continue;
            }

            if (field.StartsWith("$setElementOrder/", StringComparison.Ordinal))
            {
                continue; // Applied after the merge below.
            }

            if (field.StartsWith('$'))
            {
                throw new PatchException(true, $"the double does not serve the strategic merge patch directive {field} (none of its kinds has a retainKeys field)");
            }

            if (value is null)
            {
                target.Remove(field);
            }
            else if (value is JsonObject patchObject)
            {
                if ((string?)patchObject["$patch"] == "delete")
                {
                    target.Remove(field);
                }
                else
                {
                    target[field] = Strategic(target[field] as JsonObject ?? [], patchObject, fieldPath, mergeLists);
                }
            }
            else if (value is JsonArray patchList && mergeLists.TryGetValue(fieldPath, out var mergeKey))
            {
                target[field] = MergeList(target[field] as JsonArray ?? [], patchList, mergeKey, fieldPath, mergeLists);
            }
            else
            {
                target[field] = value.DeepClone();
            }
        }

        foreach (var (field, value) in patch.Where(p => p.Key.StartsWith("$setElementOrder/", StringComparison.Ordinal)).ToList())
        {
            var listField = field["$setElementOrder/".Length..];
            var fieldPath = path.Length == 0 ? listField : $"{path}.{listField}";
            if (target[listField] is JsonArray list && value is JsonArray order && mergeLists.TryGetValue(fieldPath, out var key))
            {
                target[listField] = Order(list, order, key);
            }
        }

        return target;
    }

    private static JsonArray MergeList(JsonArray target, JsonArray patch, string mergeKey, string path, IReadOnlyDictionary<string, string> mergeLists)
    {
        if (patch.Any(p => p is JsonObject o && (string?)o["$patch"] == "replace"))
        {
            return new JsonArray([.. patch.Where(p => !(p is JsonObject o && o.ContainsKey("$patch"))).Select(p => p?.DeepClone())]);
        }

        var merged = new JsonArray([.. target.Select(t => t?.DeepClone())]);
        foreach (var item in patch)
        {
            if (mergeKey.Length == 0)
            {
                if (!merged.Any(m => JsonNode.DeepEquals(m, item)))
                {
                    merged.Add(item?.DeepClone());
                }

                continue;
            }

            if (item is not JsonObject element || element[mergeKey] is not JsonValue key)
            {
                throw new PatchException(true, $"map: {item?.ToJsonString()} does not contain declared merge key: {mergeKey}");
            }

            var existing = merged.FirstOrDefault(m => JsonNode.DeepEquals(m?[mergeKey], key));
            if ((string?)element["$patch"] == "delete")
            {
                if (existing is not null)
                {
                    merged.Remove(existing);
                }
            }
            else if (existing is JsonObject existingObject)
            {
                var index = merged.IndexOf(existingObject);
                merged[index] = Strategic((JsonObject)existingObject.DeepClone(), element, path, mergeLists);
            }
            else
            {
                merged.Add(Strategic([], element, path, mergeLists));
            }
        }

        return merged;
    }

    /// <summary>Orders a merged list as $setElementOrder says; elements it does not name keep their relative order after those it does.</summary>
    private static JsonArray Order(JsonArray list, JsonArray order, string mergeKey)
    {
        JsonNode? Identity(JsonNode? node) => mergeKey.Length == 0 ? node : node?[mergeKey];
        var ordered = order.Select(o => list.FirstOrDefault(item => JsonNode.DeepEquals(Identity(item), mergeKey.Length == 0 ? o : o?[mergeKey]))).Where(item => item is not null).ToList();
        var rest = list.Where(item => !ordered.Contains(item)).ToList();
        return new JsonArray([.. ordered.Concat(rest).Select(item => item?.DeepClone())]);
    }

    private sealed class PatchException(bool malformed, string message) : Exception(message)
    {
        public bool Malformed { get; } = malformed;
    }
}
