using VolumeDriver.Cli;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Cli;

public sealed class ArgumentRedactorTests
{
    private static readonly string Options =
        "{\"kubernetes.io/pvOrVolumeName\":\"pv-1\",\"kubernetes.io/secret/password\":\"" + TestSecrets.Base64(TestSecrets.Password) + "\"}";

    [Fact]
    public void Redact_ValidOptions_KeepsKeysAndHidesSecretValues()
    {
        var logged = ArgumentRedactor.Redact([Options, "node-1"]);

        Assert.Contains("\"kubernetes.io/secret/password\":\"***\"", logged, StringComparison.Ordinal);
        Assert.Contains("pv-1", logged, StringComparison.Ordinal);
        Assert.EndsWith(" node-1", logged, StringComparison.Ordinal);
        TestSecrets.AssertAbsentFrom(logged, "the redacted arguments");
    }

    [Theory]
    [InlineData("https://acct.blob.core.windows.net/vhds/pv-1.vhd", "https://acct.blob.core.windows.net/vhds/pv-1.vhd")]
    [InlineData("https://acct.blob.core.windows.net/vhds/pv-1.vhd?sv=2021-08-06&sig=c2VjcmV0c2ln", "https://acct.blob.core.windows.net/vhds/pv-1.vhd?***")]
    [InlineData("https://admin:c2VjcmV0c2ln@vcd.example.com:8443/api#c2VjcmV0c2ln", "https://***@vcd.example.com:8443/api")]
    public void Redact_Uri_KeepsWhereItPointsAndHidesUserInfoAndQuery(string argument, string expected)
    {
        var logged = ArgumentRedactor.Redact([argument, "--name", "pv-1"]);

        Assert.Equal(expected + " --name pv-1", logged);
        Assert.DoesNotContain("c2VjcmV0c2ln", logged, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\uFEFF")]
    [InlineData("junk ")]
    [InlineData("x")]
    public void Redact_OptionsThatDoNotParse_LogsOnlyTheirLengthAndHash(string prefix)
    {
        var logged = ArgumentRedactor.Redact([prefix + Options]);

        Assert.Matches("^<[0-9]+ characters of options that do not parse, sha256 [0-9a-f]{16}>$", logged);
        TestSecrets.AssertAbsentFrom(logged, "the redacted arguments");
    }

    [Fact]
    public void Redact_TruncatedOptions_LogsOnlyTheirLengthAndHash()
    {
        var logged = ArgumentRedactor.Redact([Options[..^10]]);

        Assert.Contains("characters of options that do not parse", logged, StringComparison.Ordinal);
        TestSecrets.AssertAbsentFrom(logged, "the redacted arguments");
    }

    [Fact]
    public void Redact_PathsAndNames_AreLoggedAsTheyAre()
    {
        Assert.Equal("/var/lib/kubelet/plugins/x node-1 1073741824", ArgumentRedactor.Redact(["/var/lib/kubelet/plugins/x", "node-1", "1073741824"]));
    }

    [Fact]
    public void Scrub_MessageQuotingAnArgument_HidesEverySecretValueAndItsDecodedForm()
    {
        var secrets = ArgumentRedactor.SecretValues(["junk" + Options, "node-1"]);
        var message = $"volume name '{Options}' is not valid; decoded {TestSecrets.Password}";

        var scrubbed = ArgumentRedactor.Scrub(message, secrets);

        TestSecrets.AssertAbsentFrom(scrubbed, "the scrubbed message");
        Assert.Contains("pv-1", scrubbed, StringComparison.Ordinal);
    }
}
