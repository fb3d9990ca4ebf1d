using VolumeDriver.Configuration;
using VolumeDriver.Errors;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Configuration;

/// <summary>
/// The vcloud section, above all the Python driver's config.yaml, which must load unchanged when the
/// binary replaces that driver.
/// </summary>
public sealed class VCloudConfigurationTests : IDisposable
{
    /// <summary>The shape of the Python driver's config.yaml.example (its keys, our values).</summary>
    private const string PythonDriverConfig = """
        vcloud:
          host: vcd.example.com
          org: acme
          vdc: acme-vdc
          username: k8s
          password: s3cret-Pa55
          verify_ssl_certs: False
          log: True
          log_file: /var/log/pyvcloud.log
          api_version: '27.0'
          default_storage: T1
          etcd:
            host: etcd.internal
            port: 2379
            # You can left below fields empty to not using TLS
            ca_cert: /etc/etcd/ssl/ca.crt
            cert: /etc/etcd/ssl/etcd.crt
            key: /etc/etcd/ssl/etcd.key
            timeout: 5
          debug: False

        """;

    private readonly TempConfigDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task PythonDriverConfig_LoadsUnchanged_AndSelectsTheVCloudBackend()
    {
        var configuration = await LoadAsync(PythonDriverConfig).WithTimeout();

        Assert.Equal(BackendKind.VCloud, configuration.Backend);
        var vcloud = Assert.IsType<VCloudConfiguration>(configuration.VCloud);
        Assert.Equal(new Uri("https://vcd.example.com/"), vcloud.Endpoint);
        Assert.Equal("acme", vcloud.Org);
        Assert.Equal("acme-vdc", vcloud.Vdc);
        Assert.Equal("k8s", vcloud.Username);
        Assert.Equal("s3cret-Pa55", vcloud.Password.Reveal());
        Assert.False(vcloud.VerifyTlsCertificates);
        Assert.Equal("27.0", vcloud.PreferredApiVersion);
        Assert.Equal("T1", vcloud.DefaultStorage);
        Assert.False(vcloud.Debug);
        Assert.Equal(LogLevelSetting.Information, configuration.Log.Level);

        var etcd = Assert.IsType<EtcdConfiguration>(configuration.Locking.Etcd);
        Assert.Equal([new Uri("https://etcd.internal:2379/")], etcd.Endpoints);
        Assert.Equal("/etc/etcd/ssl/ca.crt", etcd.CaCertificateFile);
        Assert.Equal("/etc/etcd/ssl/etcd.crt", etcd.ClientCertificateFile);
        Assert.Equal("/etc/etcd/ssl/etcd.key", etcd.ClientKeyFile);
        Assert.Equal(TimeSpan.FromSeconds(5), etcd.RequestTimeout);
    }

    [Fact]
    public async Task AzureSection_NamesAzureJsonAndACaBundle()
    {
        var configuration = await LoadAsync("backend: azure\nazure:\n  cloudConfig: /etc/kubernetes/azure-stack.json\n  caCert: /etc/ssl/stack-ca.pem\n").WithTimeout();

        Assert.Equal(BackendKind.Azure, configuration.Backend);
        Assert.Equal(new AzureConfiguration("/etc/kubernetes/azure-stack.json", "/etc/ssl/stack-ca.pem"), configuration.Azure);
        Assert.Equal(AzureConfiguration.Defaults, (await LoadAsync("backend: azure\n").WithTimeout()).Azure);
    }

    [Fact]
    public async Task ExampleFileOfTheRepository_Loads()
    {
        var example = Path.Join(ConfigurationLoaderTests.FindRepositoryRoot(), "config", "vcloud.yaml");

        var configuration = await new ConfigurationLoader(new ConfigurationLocator(_ => null, _temp.PathOf("exe"), _temp.PathOf("etc/config.yaml")))
            .LoadAsync(example, CancellationToken.None).WithTimeout();

        Assert.Equal(BackendKind.VCloud, configuration.Backend);
        Assert.Equal("36.0", configuration.VCloud!.PreferredApiVersion);
        Assert.True(configuration.VCloud.VerifyTlsCertificates);
        Assert.Equal([new Uri("https://etcd.internal:2379/")], configuration.Locking.Etcd!.Endpoints);
    }

    [Fact]
    public async Task Password_NeverAppearsWhenTheConfigurationIsPrinted()
    {
        var configuration = await LoadAsync(PythonDriverConfig).WithTimeout();

        Assert.DoesNotContain("s3cret-Pa55", configuration.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-Pa55", configuration.VCloud!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EtcdWithEmptyTlsFields_IsPlainHttp()
    {
        var configuration = await LoadAsync(PythonDriverConfig
            .Replace("ca_cert: /etc/etcd/ssl/ca.crt", "ca_cert:", StringComparison.Ordinal)
            .Replace("cert: /etc/etcd/ssl/etcd.crt", "cert:", StringComparison.Ordinal)
            .Replace("key: /etc/etcd/ssl/etcd.key", "key:", StringComparison.Ordinal)).WithTimeout();

        var etcd = Assert.IsType<EtcdConfiguration>(configuration.Locking.Etcd);
        Assert.Equal([new Uri("http://etcd.internal:2379/")], etcd.Endpoints);
        Assert.Null(etcd.ClientCertificateFile);
    }

    [Fact]
    public async Task DebugTrue_RaisesTheLogLevel()
    {
        var configuration = await LoadAsync(PythonDriverConfig.Replace("debug: False", "debug: True", StringComparison.Ordinal)).WithTimeout();

        Assert.Equal(LogLevelSetting.Debug, configuration.Log.Level);
    }

    [Fact]
    public async Task OwnKeys_AreRead()
    {
        var configuration = await LoadAsync("""
            backend: vcloud
            vcloud:
              host: https://127.0.0.1:8443
              org: acme
              vdc: vdc1
              username: k8s
              password: pw
              ca_cert: /etc/volume-driver/vcd-ca.pem
              state_dir: /var/lib/vd-test
              vm_names:
                node-1: k8s-node-1-vm
              vapp: cluster-a
              task_timeout: 90s
              drain_wait: 30s
              detach_powered_off: true
            locking:
              etcd:
                endpoints: http://127.0.0.1:2379, http://127.0.0.1:22379
                username: root
                password: etcdpw
                lease_ttl: 15s
            """).WithTimeout();

        var vcloud = configuration.VCloud!;
        Assert.Equal(new Uri("https://127.0.0.1:8443/"), vcloud.Endpoint);
        Assert.True(vcloud.VerifyTlsCertificates);
        Assert.Equal("/etc/volume-driver/vcd-ca.pem", vcloud.CaCertificateFile);
        Assert.Equal("/var/lib/vd-test", vcloud.StateDirectory);
        Assert.Equal("k8s-node-1-vm", vcloud.VmNames["node-1"]);
        Assert.Equal("cluster-a", vcloud.VApp);
        Assert.Equal(TimeSpan.FromSeconds(90), vcloud.TaskTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), vcloud.DrainWait);
        Assert.True(vcloud.DetachFromPoweredOffVms);
        var etcd = configuration.Locking.Etcd!;
        Assert.Equal(2, etcd.Endpoints.Count);
        Assert.Equal("root", etcd.Username);
        Assert.Equal("etcdpw", etcd.Password!.Reveal());
        Assert.Equal(TimeSpan.FromSeconds(15), etcd.LeaseTtl);
    }

    [Theory]
    [InlineData("password", "vcloud.password")]
    [InlineData("org", "vcloud.org")]
    [InlineData("vdc", "vcloud.vdc")]
    public async Task MissingRequiredKey_NamesIt(string removed, string key)
    {
        var text = string.Join('\n', PythonDriverConfig.Split('\n').Where(line => !line.TrimStart().StartsWith(removed + ":", StringComparison.Ordinal)));

        var e = await Assert.ThrowsAsync<ConfigurationException>(() => LoadAsync(text)).WithTimeout();

        Assert.Equal(key, e.Key);
    }

    [Fact]
    public async Task BadBoolean_NamesTheKey()
    {
        var e = await Assert.ThrowsAsync<ConfigurationException>(() => LoadAsync(PythonDriverConfig.Replace("verify_ssl_certs: False", "verify_ssl_certs: maybe", StringComparison.Ordinal))).WithTimeout();

        Assert.Equal("vcloud.verify_ssl_certs", e.Key);
    }

    [Fact]
    public async Task LoopAndVCloudSections_WithoutBackendKey_KeepTheDefaultBackend()
    {
        var configuration = await LoadAsync(PythonDriverConfig + "loop:\n  directory: /var/lib/x\n").WithTimeout();

        Assert.Equal(BackendKind.Loop, configuration.Backend);
    }

    [Fact]
    public async Task ExecutableNamedVCloud_ImpliesTheBackend_AndFindsThePythonDriversFile()
    {
        var legacy = _temp.Write("opt/vcloud-flexvolume/etc/config.yaml", PythonDriverConfig + "loop:\n  directory: /var/lib/x\n");
        var loader = new ConfigurationLoader(
            new ConfigurationLocator(_ => null, _temp.PathOf("exe"), _temp.PathOf("etc/config.yaml"), [legacy]),
            "/usr/libexec/kubernetes/kubelet-plugins/volume/exec/answear.com~vcloud/vcloud");

        var configuration = await loader.LoadAsync(null, CancellationToken.None).WithTimeout();

        Assert.Equal(legacy, configuration.SourceFile);
        Assert.Equal(BackendKind.VCloud, configuration.Backend);
    }

    [Fact]
    public async Task ExecutableNamedVCloud_WithoutAnyFile_FailsClearly()
    {
        var loader = new ConfigurationLoader(
            new ConfigurationLocator(_ => null, _temp.PathOf("exe"), _temp.PathOf("etc/config.yaml"), [_temp.PathOf("none.yaml")]),
            "/plugins/answear.com~vcloud/vcloud");

        var e = await Assert.ThrowsAsync<ConfigurationException>(() => loader.LoadAsync(null, CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Contains("vcloud section", e.Message, StringComparison.Ordinal);
    }

    private async Task<DriverConfiguration> LoadAsync(string yaml)
    {
        var path = _temp.Write("config-" + Guid.NewGuid().ToString("N") + ".yaml", yaml);
        var loader = new ConfigurationLoader(new ConfigurationLocator(_ => null, _temp.PathOf("exe"), _temp.PathOf("etc/config.yaml")));
        return await loader.LoadAsync(path, CancellationToken.None).WithTimeout();
    }
}
