namespace VolumeDriver.FlexVolume;

/// <summary>
/// init's reply as constant bytes, so the hot path loads nothing (see Program.cs). It must equal
/// <c>ReplyWriter.Serialize(Reply.Initialized(DriverCapabilities.Current), indented: false)</c>;
/// a test holds them together.
/// </summary>
internal static class InitReply
{
    public static ReadOnlySpan<byte> Bytes =>
        "{\"status\":\"Success\",\"capabilities\":{\"attach\":true,\"selinuxRelabel\":true,\"supportsMetrics\":true,\"fsGroup\":true,\"requiresFSResize\":true}}\n"u8;
}
