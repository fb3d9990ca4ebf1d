using VolumeDriver.Backends;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Modules;

namespace VolumeDriver.Tests.Modules;

public sealed class AzureProvisioningProfileTests
{
    private readonly AzureProvisioningProfile _profile = new(() => "EastUS2");

    [Fact]
    public void Place_ZonalSelectedNode_CreatesTheDiskInItsZoneWithAffinityToIt()
    {
        var placement = _profile.Place(Request(new() { ["skuname"] = "Premium_LRS" }), Node("eastus2-3"));

        Assert.Equal("3", placement.Options["zones"]);
        Assert.Equal("Premium_LRS", placement.Options["skuname"]);
        Assert.Equal("topology.kubernetes.io/zone", placement.NodeAffinity?.Key);
        Assert.Equal(["eastus2-3"], placement.NodeAffinity?.Values ?? []);
    }

    [Fact]
    public void Place_NodeOutsideTheZones_IsRegionalWithoutAffinity()
    {
        var placement = _profile.Place(Request([]), Node("0"));

        Assert.False(placement.Options.ContainsKey("zones"));
        Assert.Null(placement.NodeAffinity);
    }

    [Fact]
    public void Place_LegacyZoneLabelOnly_IsRead()
    {
        var node = new SelectedNode("node-a", new Dictionary<string, string> { [AzureProvisioningProfile.LegacyZoneLabel] = "westeurope-2" });

        Assert.Equal("2", _profile.Place(Request([]), node).Options["zones"]);
    }

    [Fact]
    public void Place_ClassZonesWithoutNode_PicksOneStablyAndWritesTheRegionLabel()
    {
        var first = _profile.Place(Request(new() { ["zones"] = "1,2" }), null);
        var again = _profile.Place(Request(new() { ["zones"] = "1,2" }), null);

        Assert.Contains(first.Options["zones"], new[] { "1", "2" });
        Assert.Equal(first.Options["zones"], again.Options["zones"]);
        Assert.Equal(["eastus2-" + first.Options["zones"]], first.NodeAffinity!.Values);
    }

    [Fact]
    public void Place_NodeInAZoneTheClassExcludes_FailsNamingZones()
    {
        var error = Assert.Throws<InvalidOptionException>(() => _profile.Place(Request(new() { ["zones"] = "1" }), Node("eastus2-2")));
        Assert.Equal("zones", error.Key);
    }

    [Fact]
    public void Place_ZoneRedundantSku_AttachesAnywhere()
    {
        var placement = _profile.Place(Request(new() { ["skuname"] = "Premium_ZRS" }), Node("eastus2-1"));

        Assert.False(placement.Options.ContainsKey("zones"));
        Assert.Null(placement.NodeAffinity);
        Assert.Equal("zones", Assert.Throws<InvalidOptionException>(() => _profile.Place(Request(new() { ["skuname"] = "Premium_ZRS", ["zones"] = "1" }), null)).Key);
    }

    [Fact]
    public void AllocationUnit_IsOneGiB() => Assert.Equal(1L << 30, _profile.AllocationUnit.Bytes);

    private static DiskRequest Request(Dictionary<string, string> options)
    {
        Assert.True(VolumeName.TryCreate("pvc-0d6c5e43-9b8a-4f1e-8c2d-3e4f5a6b7c8d", out var name, out _));
        return new DiskRequest(name.Value, ByteSize.FromGiB(1), options);
    }

    private static SelectedNode Node(string zone) => new("node-a", new Dictionary<string, string> { ["topology.kubernetes.io/zone"] = zone });
}
