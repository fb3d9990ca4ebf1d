using System.Collections.Frozen;
using Simulators.Kubernetes;
using VolumeDriver.Backends;
using VolumeDriver.Backends.Azure;
using VolumeDriver.Backends.Azure.Blob;
using VolumeDriver.Backends.VCloud;
using VolumeDriver.Configuration;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.FlexVolume;
using VolumeDriver.Tests.Configuration;
using VolumeDriver.Tests.TestSupport;
using YamlDotNet.RepresentationModel;

namespace VolumeDriver.Tests.Provisioning.EndToEnd;

/// <summary>
/// The shipped deployment examples (examples/deploy) hold what the driver accepts: every
/// StorageClass parameter passes the backend's own option parser, the provisioner's roles grant
/// the verbs it uses and no others, and the Deployment's configuration, probes and lease namespace
/// fit together.
/// </summary>
public sealed class DeployManifestTests
{
    private const string Namespace = "volume-driver";
    private const string ServiceAccount = "volume-driver-provisioner";

    /// <summary>The driver names the examples use, and the backend each is installed for.</summary>
    private static readonly Dictionary<string, BackendKind> Drivers = new(StringComparer.Ordinal)
    {
        ["azure/volume-driver"] = BackendKind.Azure,
        ["answear.com/vcloud"] = BackendKind.VCloud,
        ["example.com/volume-driver"] = BackendKind.Loop,
    };

    [Fact]
    public void Every_document_names_its_apiVersion_kind_and_name()
    {
        var documents = DeployManifests.All();

        Assert.Contains(documents, d => d.File == DeployManifests.ProvisionerFile);
        Assert.All(documents, d =>
        {
            Assert.False(string.IsNullOrEmpty(DeployManifests.Text(d.Document, "apiVersion")), d.File);
            Assert.False(string.IsNullOrEmpty(DeployManifests.Text(d.Document, "kind")), d.File);
            Assert.False(string.IsNullOrEmpty(DeployManifests.Text(d.Document, "metadata", "name")), d.File);
        });
    }

    [Fact]
    public void Every_StorageClass_parameter_passes_its_backends_option_parser_and_zonal_Azure_waits_for_the_first_consumer()
    {
        var classes = DeployManifests.All().Where(d => DeployManifests.Text(d.Document, "kind") == "StorageClass").ToList();

        Assert.Equal(["storageclass-azure-blob.yaml", "storageclass-azure-managed.yaml", "storageclass-loop.yaml", "storageclass-vcloud.yaml"], classes.Select(c => c.File));
        foreach (var (file, storageClass) in classes)
        {
            var provisioner = DeployManifests.Text(storageClass, "provisioner")!;
            Assert.True(Drivers.TryGetValue(provisioner, out var backend), $"{file}: provisioner {provisioner} is no driver name the examples install");
            var parameters = Parameters(storageClass);
            var request = ParseAsProvisioned(backend, parameters);
            if (backend == BackendKind.Azure && !BlobDiskOptions.IsBlobKind(request)
                && !AzureDiskOptions.From(request).Sku.ToString().EndsWith("_ZRS", StringComparison.Ordinal))
            {
                Assert.Equal("WaitForFirstConsumer", DeployManifests.Text(storageClass, "volumeBindingMode"));
            }

            Assert.Contains(DeployManifests.Text(storageClass, "reclaimPolicy"), new[] { "Delete", "Retain" });
        }
    }

    [Fact]
    public void The_option_check_refuses_a_key_the_backend_does_not_read_naming_it()
    {
        var wrongCase = Assert.Throws<InvalidOptionException>(() => ParseAsProvisioned(BackendKind.Azure, new Dictionary<string, string> { ["skuName"] = "Premium_LRS" }));
        Assert.Equal("skuName", wrongCase.Key);
        var badValue = Assert.Throws<InvalidOptionException>(() => ParseAsProvisioned(BackendKind.VCloud, new Dictionary<string, string> { ["busType"] = "7" }));
        Assert.Equal("busType", badValue.Key);
        Assert.Throws<InvalidOptionException>(() => ParseAsProvisioned(BackendKind.Loop, new Dictionary<string, string> { ["storage"] = "T1" }));
    }

    [Fact]
    public void The_provisioner_roles_grant_exactly_the_verbs_it_uses_cluster_wide_and_leases_only_in_its_namespace()
    {
        var authorization = DeployManifests.AuthorizationOf(DeployManifests.ProvisionerFile, Namespace, ServiceAccount);

        string[] allowed =
        [
            "get persistentvolumeclaims", "list persistentvolumeclaims", "watch persistentvolumeclaims",
            "get persistentvolumes", "list persistentvolumes", "watch persistentvolumes", "create persistentvolumes", "delete persistentvolumes",
            "get storageclasses", "list storageclasses", "watch storageclasses",
            "create events", "get nodes",
        ];
        var resources = new[] { KubernetesResource.PersistentVolumeClaims, KubernetesResource.PersistentVolumes, KubernetesResource.StorageClasses, KubernetesResource.Events, KubernetesResource.Nodes, KubernetesResource.Leases };
        var verbs = new[] { "get", "list", "watch", "create", "update", "patch", "delete", "deletecollection" };
        foreach (var resource in resources)
        {
            foreach (var verb in verbs)
            {
                var expected = allowed.Contains($"{verb} {resource.Plural}");
                Assert.True(expected == authorization.Allows(verb, resource, "", resource.Namespaced ? "apps" : "", "x"), $"{verb} {resource.Plural} in apps: expected {(expected ? "allowed" : "refused")}");
            }
        }

        Assert.True(authorization.Allows("get", KubernetesResource.Leases, "", Namespace, "x"));
        Assert.True(authorization.Allows("create", KubernetesResource.Leases, "", Namespace, "x"));
        Assert.True(authorization.Allows("update", KubernetesResource.Leases, "", Namespace, "x"));
        Assert.False(authorization.Allows("delete", KubernetesResource.Leases, "", Namespace, "x"));
        Assert.False(authorization.Allows("update", KubernetesResource.PersistentVolumeClaims, "status", "apps", "x"));
    }

    [Fact]
    public async Task The_Deployment_runs_two_replicas_of_the_provisioner_with_its_configuration_probes_and_lease_namespace_fitting_together()
    {
        var deployment = Assert.Single(DeployManifests.OfKind(DeployManifests.ProvisionerFile, "Deployment"));
        var pod = DeployManifests.Node(deployment, "spec", "template", "spec")!;
        Assert.Equal("2", DeployManifests.Text(deployment, "spec", "replicas"));
        Assert.Equal(Namespace, DeployManifests.Text(deployment, "metadata", "namespace"));
        Assert.Equal(ServiceAccount, DeployManifests.Text(pod, "serviceAccountName"));
        Assert.Equal("true", DeployManifests.Text(pod, "securityContext", "runAsNonRoot"));

        var container = (YamlMappingNode)Assert.Single((YamlSequenceNode)DeployManifests.Node(pod, "containers")!);
        var args = DeployManifests.Strings(DeployManifests.Node(container, "args"));
        Assert.Equal("provisioner", args[0]);
        var driver = Argument(args, "--driver");
        Assert.True(Drivers.ContainsKey(driver), driver);
        var healthPort = Argument(args, "--health-port");
        Assert.Equal(healthPort, DeployManifests.Text(Port(container, "health"), "containerPort"));
        Assert.Equal("/healthz", DeployManifests.Text(container, "livenessProbe", "httpGet", "path"));
        Assert.Equal("/readyz", DeployManifests.Text(container, "readinessProbe", "httpGet", "path"));
        Assert.Equal("$(POD_NAMESPACE)", Argument(args, "--lease-namespace"));
        Assert.Equal("metadata.namespace", DeployManifests.Text(Env(container, "POD_NAMESPACE"), "valueFrom", "fieldRef", "fieldPath"));
        Assert.Single(DeployManifests.OfKind(DeployManifests.ProvisionerFile, "Role"), r => DeployManifests.Text(r, "metadata", "namespace") == Namespace);

        // $VOLUME_DRIVER_CONFIG names a file of a mounted Secret, and that file loads.
        var configPath = DeployManifests.Text(Env(container, "VOLUME_DRIVER_CONFIG"), "value")!;
        var mount = ((YamlSequenceNode)DeployManifests.Node(container, "volumeMounts")!).OfType<YamlMappingNode>()
            .Single(m => configPath.StartsWith(DeployManifests.Text(m, "mountPath")! + "/", StringComparison.Ordinal));
        var volume = ((YamlSequenceNode)DeployManifests.Node(pod, "volumes")!).OfType<YamlMappingNode>()
            .Single(v => DeployManifests.Text(v, "name") == DeployManifests.Text(mount, "name"));
        var secretName = DeployManifests.Text(volume, "secret", "secretName");
        var secret = Assert.Single(DeployManifests.OfKind(DeployManifests.ProvisionerFile, "Secret"), s => DeployManifests.Text(s, "metadata", "name") == secretName);
        var key = Path.GetFileName(configPath);
        var configText = DeployManifests.Text(secret, "stringData", key)!;
        using var temp = new TempConfigDirectory();
        var path = temp.Write(key, configText);
        var configuration = await new ConfigurationLoader(new ConfigurationLocator(_ => null, temp.PathOf("exe"), temp.PathOf("etc/config.yaml"))).LoadAsync(path, CancellationToken.None).WithTimeout();
        Assert.Equal(BackendKind.Azure, configuration.Backend);
        Assert.Equal(Drivers[driver], configuration.Backend);
        Assert.StartsWith(DeployManifests.Text(mount, "mountPath")! + "/", configuration.Azure.CloudConfigFile, StringComparison.Ordinal);
        Assert.NotNull(DeployManifests.Text(secret, "stringData", Path.GetFileName(configuration.Azure.CloudConfigFile)));
    }

    /// <summary>
    /// The class parameters as the provisioner hands them to the driver: fsType becomes the PV's
    /// flexVolume.fsType, the rest are volume options parsed by the options parser every verb uses
    /// (the common keys and the backend module's), and then by the backend's own parser.
    /// </summary>
    private static DiskRequest ParseAsProvisioned(BackendKind backend, IReadOnlyDictionary<string, string> parameters)
    {
        var keys = backend switch
        {
            BackendKind.Azure => AzureDiskOptions.Keys.ToFrozenSet(StringComparer.Ordinal),
            BackendKind.VCloud => VCloudDiskOptions.Keys.ToFrozenSet(StringComparer.Ordinal),
            _ => FrozenSet<string>.Empty,
        };
        var options = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [OptionKeys.PvOrVolumeName] = "pvc-" + Guid.NewGuid(),
            [OptionKeys.Size] = "10Gi",
        };
        foreach (var (key, value) in parameters)
        {
            options[key is "fsType" ? OptionKeys.LegacyFsType : key] = value;
        }

        var request = new FlexOptionsParser(keys).Parse(options).ToDiskRequest();
        switch (backend)
        {
            case BackendKind.Azure when BlobDiskOptions.IsBlobKind(request):
                BlobDiskOptions.From(request);
                break;
            case BackendKind.Azure:
                AzureDiskOptions.From(request);
                break;
            case BackendKind.VCloud:
                VCloudDiskOptions.From(request);
                break;
        }

        return request;
    }

    private static Dictionary<string, string> Parameters(YamlMappingNode storageClass) =>
        DeployManifests.Node(storageClass, "parameters") is YamlMappingNode parameters
            ? parameters.Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => ((YamlScalarNode)p.Value).Value ?? "", StringComparer.Ordinal)
            : [];

    private static string Argument(IReadOnlyList<string> args, string name) =>
        args.Single(a => a.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];

    private static YamlMappingNode Env(YamlMappingNode container, string name) =>
        ((YamlSequenceNode)DeployManifests.Node(container, "env")!).OfType<YamlMappingNode>().Single(e => DeployManifests.Text(e, "name") == name);

    private static YamlMappingNode Port(YamlMappingNode container, string name) =>
        ((YamlSequenceNode)DeployManifests.Node(container, "ports")!).OfType<YamlMappingNode>().Single(p => DeployManifests.Text(p, "name") == name);
}
