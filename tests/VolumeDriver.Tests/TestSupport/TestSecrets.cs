using System.Text;

namespace VolumeDriver.Tests.TestSupport;

/// <summary>
/// Every secret the tests hand to the driver, in one place, so that every log a test run writes can
/// be scanned for all of them (LoopVolumeFixture does it for each fixture's log as it is disposed).
/// A test that passes a secret takes it from here.
/// </summary>
public static class TestSecrets
{
    public const string Password = "s3cr3t-Value-That-Must-Not-Leak";
    public const string Token = "do-not-log-me-9f2c";
    public const string ConfigValue = "s3cr3t-Zq8vYk2LmN0pRt5W";

    /// <summary>Each secret as it is given (raw) and as kubelet passes it (base64).</summary>
    public static IReadOnlyList<string> AllForms { get; } =
        new[] { Password, Token, ConfigValue }.SelectMany(s => new[] { s, Base64(s) }).ToList();

    public static string Base64(string secret) => Convert.ToBase64String(Encoding.UTF8.GetBytes(secret));

    /// <summary>Fails when any form of any secret appears in the text.</summary>
    public static void AssertAbsentFrom(string text, string where)
    {
        foreach (var secret in AllForms)
        {
            Assert.False(text.Contains(secret, StringComparison.Ordinal), $"a test secret reached {where}");
        }
    }
}
