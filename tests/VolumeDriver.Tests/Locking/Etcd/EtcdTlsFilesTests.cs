using VolumeDriver.Configuration;
using VolumeDriver.Errors;
using VolumeDriver.Locking.Etcd;

namespace VolumeDriver.Tests.Locking.Etcd;

/// <summary>The etcd section's TLS files: each problem names the key as the file spells it, and the file.</summary>
public sealed class EtcdTlsFilesTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("etcd-tls-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Theory]
    [InlineData("locking", "locking.etcd")]
    [InlineData("vcloud", "vcloud.etcd")]
    public void FindUnreadable_MissingCertificate_NamesTheKeyWhereTheSectionIsAndTheFile(string parent, string section)
    {
        var ca = Path.Join(_directory.FullName, "ca.crt");
        File.WriteAllText(ca, "-----BEGIN CERTIFICATE-----\n");
        var cert = Path.Join(_directory.FullName, "ssl", "etcd.crt");
        var configuration = Parse(parent, ca, cert, Path.Join(_directory.FullName, "etcd.key"));

        var problem = EtcdTlsFiles.FindUnreadable(configuration);

        Assert.NotNull(problem);
        Assert.Equal(section + ".cert", problem.Key);
        Assert.Equal(cert, problem.File);
        Assert.Contains($"{section}.cert '{cert}' does not exist", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadCertificateAuthorities_AFileThatIsNotPem_IsAConfigurationExceptionNamingTheKey()
    {
        var ca = Path.Join(_directory.FullName, "ca.crt");
        File.WriteAllText(ca, "not a certificate\n");
        var configuration = Parse("locking", ca, cert: null, key: null);

        var e = Assert.Throws<ConfigurationException>(() => EtcdTlsFiles.LoadCertificateAuthorities(configuration));

        Assert.Equal("locking.etcd.ca_cert", e.Key);
        Assert.Contains(ca, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FindUnreadable_NoTlsFiles_IsNull()
    {
        Assert.Null(EtcdTlsFiles.FindUnreadable(Parse("locking", ca: null, cert: null, key: null)));
    }

    private EtcdConfiguration Parse(string parent, string? ca, string? cert, string? key)
    {
        var tls = string.Concat(
            ca is null ? string.Empty : $"\n    ca_cert: {ca}",
            cert is null ? string.Empty : $"\n    cert: {cert}",
            key is null ? string.Empty : $"\n    key: {key}");
        var yaml = parent == "vcloud"
            ? $"backend: vcloud\nvcloud:\n  host: vcd.example.com\n  org: o\n  vdc: v\n  username: u\n  password: p\n  etcd:\n    host: 127.0.0.1{tls}\n"
            : $"locking:\n  etcd:\n    host: 127.0.0.1{tls}\n";
        return ConfigurationParser.Parse(yaml, Path.Join(_directory.FullName, "config.yaml")).Locking.Etcd!;
    }
}
