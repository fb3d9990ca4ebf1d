namespace Simulators.Kubernetes;

/// <summary>
/// One rule of an RBAC Role or ClusterRole (rbac.authorization.k8s.io/v1 PolicyRule), matched as
/// the RBAC authorizer matches it (plugin/pkg/auth/authorizer/rbac/rbac.go RuleAllows and
/// pkg/apis/rbac/v1/evaluation_helpers.go): "*" matches any verb, group or resource; a resource
/// with a subresource is "plural/sub" and also matches "*/sub"; resourceNames, when given, limit
/// the rule to requests that name one of them (so never a list, watch without a name selector, or create).
/// </summary>
public sealed record PolicyRule(IReadOnlyList<string> ApiGroups, IReadOnlyList<string> Resources, IReadOnlyList<string> Verbs, IReadOnlyList<string> ResourceNames)
{
    public PolicyRule(IReadOnlyList<string> apiGroups, IReadOnlyList<string> resources, IReadOnlyList<string> verbs)
        : this(apiGroups, resources, verbs, [])
    {
    }

    public bool Allows(string verb, string group, string resource, string subresource, string name)
    {
        var combined = subresource.Length == 0 ? resource : $"{resource}/{subresource}";
        return Verbs.Any(v => v == "*" || v == verb)
            && ApiGroups.Any(g => g == "*" || g == group)
            && Resources.Any(r => r == "*" || r == combined || (subresource.Length > 0 && r == "*/" + subresource))
            && (ResourceNames.Count == 0 || ResourceNames.Contains(name));
    }
}
