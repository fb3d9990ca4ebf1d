namespace VolumeDriver.Modules;

/// <summary>The node the scheduler chose for a WaitForFirstConsumer claim, with its labels.</summary>
internal sealed record SelectedNode(string Name, IReadOnlyDictionary<string, string> Labels);
