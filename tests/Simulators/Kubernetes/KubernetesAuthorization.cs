namespace Simulators.Kubernetes;

/// <summary>
/// Who the double's token belongs to and what RBAC lets that user do: the rules of the
/// ClusterRoles bound to it cluster-wide, and of the Roles bound to it per namespace. A request no
/// rule allows is answered 403 with the API server's Status (see <see cref="KubernetesStatus.Forbidden"/>),
/// so a test can prove a manifest's roles are enough for a client.
/// </summary>
public sealed record KubernetesAuthorization(
    string User,
    IReadOnlyList<PolicyRule> ClusterRules,
    IReadOnlyDictionary<string, IReadOnlyList<PolicyRule>> NamespaceRules)
{
    /// <summary>The user name of a service account's token: system:serviceaccount:NAMESPACE:NAME.</summary>
    public static string ServiceAccountUser(string namespaceName, string name) => $"system:serviceaccount:{namespaceName}:{name}";

    public bool Allows(string verb, KubernetesResource resource, string subresource, string namespaceName, string name) =>
        ClusterRules.Any(r => r.Allows(verb, resource.Group, resource.Plural, subresource, name))
        || (namespaceName.Length > 0
            && NamespaceRules.TryGetValue(namespaceName, out var rules)
            && rules.Any(r => r.Allows(verb, resource.Group, resource.Plural, subresource, name)));
}
