using VolumeDriver.Errors;
using VolumeDriver.Kubernetes;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Kubernetes;

/// <summary>Reading kubeconfig files: what connects, and the clear refusals of what does not.</summary>
public sealed class KubeconfigLoaderTests
{
    [Fact]
    public async Task Load_ATokenUserWithCaData_ConnectsToTheServer()
    {
        await using var bed = await KubernetesTestBed.StartAsync();

        using var connection = KubeconfigLoader.Load(bed.KubeconfigPath, null, TimeProvider.System);

        Assert.Equal(bed.Api.BaseUri, connection.Server);
        Assert.Equal("kube-system", connection.DefaultNamespace);
        Assert.Single(connection.CertificateAuthorities!);
        Assert.Null(await bed.Client().GetAsync(KubernetesResources.Nodes, null, "none", CancellationToken.None).WithTimeout());
    }

    [Fact]
    public async Task Load_FilesNamedRelativeToTheKubeconfig_AndATokenFile()
    {
        await using var bed = await KubernetesTestBed.StartAsync();
        File.Copy(bed.Api.CaPemPath, Path.Join(bed.Directory, "ca.pem"));
        File.WriteAllText(Path.Join(bed.Directory, "token"), bed.Api.Options.Token + "\n");
        File.WriteAllText(bed.KubeconfigPath, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster:
                server: {bed.Api.BaseUri}
                certificate-authority: ca.pem
            users:
            - name: u
              user:
                tokenFile: token
            contexts:
            - name: other
              context: {"{"}cluster: c, user: u{"}"}
            - name: chosen
              context: {"{"}cluster: c, user: u, namespace: apps{"}"}
            current-context: other
            """);

        using var connection = KubeconfigLoader.Load(bed.KubeconfigPath, "chosen", TimeProvider.System);

        Assert.Equal("apps", connection.DefaultNamespace);
        Assert.Equal(Path.Join(bed.Directory, "token"), connection.Token!.File);
        Assert.Null(await bed.Client().GetAsync(KubernetesResources.Nodes, null, "none", CancellationToken.None).WithTimeout());
    }

    [Fact]
    public async Task Load_AClientCertificateUser_PresentsTheCertificateWithItsKey()
    {
        await using var bed = await KubernetesTestBed.StartAsync();
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=system:node:node-1", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddYears(100));
        File.WriteAllText(Path.Join(bed.Directory, "client.key"), key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(bed.KubeconfigPath, $"""
            clusters:
            - name: c
              cluster:
                server: {bed.Api.BaseUri}
                certificate-authority-data: {Convert.ToBase64String(File.ReadAllBytes(bed.Api.CaPemPath))}
            users:
            - name: u
              user:
                client-certificate-data: {Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(certificate.ExportCertificatePem()))}
                client-key: client.key
            contexts:
            - name: ctx
              context: {"{"}cluster: c, user: u{"}"}
            current-context: ctx
            """);

        using var connection = KubeconfigLoader.Load(bed.KubeconfigPath, null, TimeProvider.System);

        Assert.Null(connection.Token);
        Assert.Equal("CN=system:node:node-1", connection.ClientCertificate!.Subject);
        Assert.True(connection.ClientCertificate.HasPrivateKey);
    }

    [Fact]
    public void Load_ACertificateWithoutItsKey_IsRefused()
    {
        var file = WriteConfig(cluster: "server: https://127.0.0.1:6443", user: "client-certificate-data: LS0t");

        var e = Assert.Throws<ConfigurationException>(() => KubeconfigLoader.Load(file, null, TimeProvider.System));

        Assert.Equal("users[u].user.client-key", e.Key);
        Assert.Contains("needs both", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AMissingFile_NamesIt()
    {
        var file = Path.Join(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "config");

        var e = Assert.Throws<ConfigurationException>(() => KubeconfigLoader.Load(file, null, TimeProvider.System));

        Assert.Equal(file, e.File);
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_AnUnknownContext_ListsTheKnownOnes()
    {
        await using var bed = await KubernetesTestBed.StartAsync();

        var e = Assert.Throws<ConfigurationException>(() => KubeconfigLoader.Load(bed.KubeconfigPath, "prod", TimeProvider.System));

        Assert.Equal("contexts", e.Key);
        Assert.Contains("no context named 'prod'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'test'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: aws", "users[u].user.exec")]
    [InlineData("auth-provider:\n      name: gcp", "users[u].user.auth-provider")]
    [InlineData("username: admin\n    password: secret-password", "users[u].user.username")]
    public void Load_AUserThatNeedsAPlugin_IsRefusedByName(string user, string key)
    {
        var file = WriteConfig(cluster: "server: https://127.0.0.1:6443", user: user);

        var e = Assert.Throws<ConfigurationException>(() => KubeconfigLoader.Load(file, null, TimeProvider.System));

        Assert.Equal(key, e.Key);
        Assert.Contains("is not supported", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-password", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("server: https://127.0.0.1:6443\n    insecure-skip-tls-verify: true", "clusters[c].cluster.insecure-skip-tls-verify")]
    [InlineData("server: http://127.0.0.1:8080", "clusters[c].cluster.server")]
    [InlineData("certificate-authority-data: LS0t", "clusters[c].cluster.server")]
    [InlineData("server: https://127.0.0.1:6443\n    certificate-authority-data: not*base64", "clusters[c].cluster.certificate-authority-data")]
    [InlineData("server: https://127.0.0.1:6443\n    certificate-authority: missing.pem", "clusters[c].cluster.certificate-authority")]
    public void Load_AClusterWeCannotVerify_IsRefusedByName(string cluster, string key)
    {
        var file = WriteConfig(cluster, user: "token: t");

        var e = Assert.Throws<ConfigurationException>(() => KubeconfigLoader.Load(file, null, TimeProvider.System));

        Assert.Equal(key, e.Key);
        Assert.Contains(file, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WithoutACurrentContext_SaysSo()
    {
        var file = WriteConfig(cluster: "server: https://127.0.0.1:6443", user: "token: t");
        File.WriteAllText(file, File.ReadAllText(file).Replace("current-context: ctx", "", StringComparison.Ordinal));

        var e = Assert.Throws<ConfigurationException>(() => KubeconfigLoader.Load(file, null, TimeProvider.System));

        Assert.Equal("current-context", e.Key);
    }

    private static string WriteConfig(string cluster, string user)
    {
        var directory = Path.Join(Path.GetTempPath(), "kubeconfig-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var file = Path.Join(directory, "config");
        File.WriteAllText(file, $"""
            clusters:
            - name: c
              cluster:
                {cluster}
            users:
            - name: u
              user:
                {user}
            contexts:
            - name: ctx
              context:
                cluster: c
                user: u
            current-context: ctx
            """);
        return file;
    }
}
