using Simulators.Kubernetes;
using VolumeDriver.Tests.Configuration;
using YamlDotNet.RepresentationModel;

namespace VolumeDriver.Tests.Provisioning.EndToEnd;

/// <summary>
/// The shipped manifests in examples/deploy, read as Kubernetes reads them: every YAML document of
/// every file, by kind; and the RBAC they grant the provisioner's service account, as rules the
/// Kubernetes API double enforces (<see cref="KubernetesAuthorization"/>).
/// </summary>
internal static class DeployManifests
{
    public const string ProvisionerFile = "provisioner.yaml";

    public static string Directory => Path.Join(ConfigurationLoaderTests.FindRepositoryRoot(), "examples", "deploy");

    /// <summary>Every document of every examples/deploy/*.yaml file, with the file it came from.</summary>
    public static IReadOnlyList<(string File, YamlMappingNode Document)> All() =>
        [.. System.IO.Directory.GetFiles(Directory, "*.yaml").Order(StringComparer.Ordinal).SelectMany(file => Documents(file).Select(document => (Path.GetFileName(file), document)))];

    public static IReadOnlyList<YamlMappingNode> Documents(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return [.. stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>()];
    }

    public static IReadOnlyList<YamlMappingNode> OfKind(string file, string kind) =>
        [.. Documents(Path.Join(Directory, file)).Where(d => Text(d, "kind") == kind)];

    /// <summary>
    /// What the ClusterRoleBindings and RoleBindings of <paramref name="file"/> grant the service
    /// account <paramref name="serviceAccount"/> of <paramref name="namespaceName"/>.
    /// </summary>
    public static KubernetesAuthorization AuthorizationOf(string file, string namespaceName, string serviceAccount)
    {
        var documents = Documents(Path.Join(Directory, file));
        var clusterRoles = documents.Where(d => Text(d, "kind") == "ClusterRole").ToDictionary(d => Text(d, "metadata", "name")!, Rules);
        var roles = documents.Where(d => Text(d, "kind") == "Role").ToDictionary(d => (Text(d, "metadata", "namespace") ?? "default", Text(d, "metadata", "name")!), Rules);
        var clusterRules = new List<PolicyRule>();
        var namespaceRules = new Dictionary<string, List<PolicyRule>>(StringComparer.Ordinal);
        foreach (var binding in documents.Where(d => Text(d, "kind") is "ClusterRoleBinding" or "RoleBinding"))
        {
            var subjects = binding.Children.TryGetValue("subjects", out var s) ? ((YamlSequenceNode)s).OfType<YamlMappingNode>() : [];
            if (!subjects.Any(subject => Text(subject, "kind") == "ServiceAccount" && Text(subject, "name") == serviceAccount && Text(subject, "namespace") == namespaceName))
            {
                continue;
            }

            var roleKind = Text(binding, "roleRef", "kind");
            var roleName = Text(binding, "roleRef", "name")!;
            var bindingNamespace = Text(binding, "metadata", "namespace") ?? "default";
            var rules = roleKind == "ClusterRole" ? clusterRoles[roleName] : roles[(bindingNamespace, roleName)];
            if (Text(binding, "kind") == "ClusterRoleBinding")
            {
                clusterRules.AddRange(rules);
            }
            else
            {
                if (!namespaceRules.TryGetValue(bindingNamespace, out var list))
                {
                    list = [];
                    namespaceRules[bindingNamespace] = list;
                }

                list.AddRange(rules);
            }
        }

        return new KubernetesAuthorization(
            KubernetesAuthorization.ServiceAccountUser(namespaceName, serviceAccount),
            clusterRules,
            namespaceRules.ToDictionary(p => p.Key, p => (IReadOnlyList<PolicyRule>)p.Value, StringComparer.Ordinal));
    }

    public static string? Text(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode mapping || !mapping.Children.TryGetValue(key, out var child))
            {
                return null;
            }

            node = child;
        }

        return (node as YamlScalarNode)?.Value;
    }

    public static YamlNode? Node(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode mapping || !mapping.Children.TryGetValue(key, out var child))
            {
                return null;
            }

            node = child;
        }

        return node;
    }

    public static IReadOnlyList<string> Strings(YamlNode? node) =>
        node is YamlSequenceNode sequence ? [.. sequence.OfType<YamlScalarNode>().Select(s => s.Value ?? "")] : [];

    private static IReadOnlyList<PolicyRule> Rules(YamlMappingNode role) =>
        [.. (Node(role, "rules") as YamlSequenceNode ?? []).OfType<YamlMappingNode>().Select(rule => new PolicyRule(
            Strings(Node(rule, "apiGroups")),
            Strings(Node(rule, "resources")),
            Strings(Node(rule, "verbs")),
            Strings(Node(rule, "resourceNames"))))];
}
