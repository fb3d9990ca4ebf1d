namespace VolumeDriver.Backends.VCloud.Models;

/// <summary>A vCD task's state.</summary>
internal sealed record VCloudTask(Uri Href, string Status, string? OperationName, string? ErrorMessage, string? ErrorMinorCode)
{
    /// <summary>go-vcloud-director's running set: queued, preRunning, running, postRunning.</summary>
    public bool IsRunning => Status is "queued" or "preRunning" or "running" or "postRunning";

    /// <summary>Only success is good: aborted and canceled did not do the work.</summary>
    public bool Succeeded => Status == "success";
}
