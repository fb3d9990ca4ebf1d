namespace VolumeDriver.Backends.VCloud.Models;

/// <summary>A VM found by the query service.</summary>
/// <param name="PoweredOn">The record's status is POWERED_ON (or the entity's status is 4).</param>
internal sealed record VCloudVmRecord(Uri Href, string Name, string? VAppName, bool PoweredOn);
