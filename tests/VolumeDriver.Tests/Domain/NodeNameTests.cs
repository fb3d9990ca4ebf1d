using VolumeDriver.Domain;

namespace VolumeDriver.Tests.Domain;

public sealed class NodeNameTests
{
    [Theory]
    [InlineData("adv-node")]
    [InlineData("node-1.example.com")]
    [InlineData("Node-1")]
    public void TryCreate_DnsSubdomain_IsAccepted(string text)
    {
        Assert.True(NodeName.TryCreate(text, out var name, out var problem), problem);
        Assert.Equal(text, name.Value.Value);
    }

    [Theory]
    [InlineData("adv-node\n")]
    [InlineData("adv-node\r\n")]
    [InlineData("\nadv-node")]
    [InlineData("adv node")]
    [InlineData("-adv")]
    [InlineData("")]
    public void TryCreate_NotADnsSubdomain_IsRefused(string text)
    {
        Assert.False(NodeName.TryCreate(text, out _, out var problem));
        Assert.False(string.IsNullOrWhiteSpace(problem));
    }
}
