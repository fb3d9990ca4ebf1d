namespace VolumeDriver.FlexVolume;

/// <summary>The three statuses kubelet tells apart (exact, case-sensitive strings on the wire).</summary>
internal enum ReplyStatus
{
    Success,
    NotSupported,
    Failure,
}
