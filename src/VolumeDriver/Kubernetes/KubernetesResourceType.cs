using System.Text.Json.Serialization.Metadata;
using VolumeDriver.Kubernetes.Models;

namespace VolumeDriver.Kubernetes;

/// <summary>
/// One kind of object as the API serves it: where it lives (group, version, plural), whether it is
/// namespaced, whether status is a subresource, and its generated JSON metadata. The client's one
/// Get/List/Create/Replace/Patch/Delete/Watch serves every kind through this. The catalogue of kinds
/// the driver uses is <see cref="KubernetesResources"/>.
/// </summary>
internal sealed class KubernetesResourceType<T>
    where T : KubernetesObject
{
    public KubernetesResourceType(string group, string version, string plural, string kind, bool namespaced, bool hasStatus, JsonTypeInfo<T> objectType, JsonTypeInfo<KubernetesList<T>> listType)
    {
        Group = group;
        Version = version;
        Plural = plural;
        Kind = kind;
        Namespaced = namespaced;
        HasStatus = hasStatus;
        ObjectType = objectType;
        ListType = listType;
    }

    /// <summary>Empty for the core group.</summary>
    public string Group { get; }

    public string Version { get; }

    public string Plural { get; }

    public string Kind { get; }

    public bool Namespaced { get; }

    /// <summary>Whether status is a subresource (then a replace ignores status; <c>ReplaceStatusAsync</c> writes it).</summary>
    public bool HasStatus { get; }

    public JsonTypeInfo<T> ObjectType { get; }

    public JsonTypeInfo<KubernetesList<T>> ListType { get; }

    /// <summary>v1, or storage.k8s.io/v1.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>persistentvolumes, or leases.coordination.k8s.io: how the API server names the resource in its messages.</summary>
    public string QualifiedPlural => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    /// <summary>
    /// /api/v1[/namespaces/NS]/PLURAL or /apis/GROUP/VERSION[/namespaces/NS]/PLURAL. A null namespace
    /// of a namespaced kind is the collection across all namespaces (list and watch only).
    /// </summary>
    public string CollectionPath(string? ns)
    {
        var root = Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";
        if (!Namespaced)
        {
            return ns is null ? $"{root}/{Plural}" : throw new ArgumentException($"{Kind} is not namespaced; pass no namespace", nameof(ns));
        }

        return ns is null ? $"{root}/{Plural}" : $"{root}/namespaces/{Uri.EscapeDataString(RequireName(ns, "namespace"))}/{Plural}";
    }

    /// <summary>The path of one object; a namespaced kind needs its namespace.</summary>
    public string ObjectPath(string? ns, string name)
    {
        if (Namespaced && string.IsNullOrEmpty(ns))
        {
            throw new ArgumentException($"{Kind} is namespaced: name the namespace of '{name}'", nameof(ns));
        }

        return $"{CollectionPath(ns)}/{Uri.EscapeDataString(RequireName(name, "name"))}";
    }

    public override string ToString() => QualifiedPlural;

    private string RequireName(string value, string what) =>
        string.IsNullOrEmpty(value) || value is "." or ".." || value.Contains('/', StringComparison.Ordinal)
            ? throw new ArgumentException($"'{value}' is not a valid {what} of a {Kind}", what)
            : value;
}
