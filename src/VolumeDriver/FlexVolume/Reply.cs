namespace VolumeDriver.FlexVolume;

/// <summary>The one JSON object a verb prints. Only the fields a verb sets are written.</summary>
internal sealed record Reply
{
    private Reply(ReplyStatus status) => Status = status;

    public ReplyStatus Status { get; private init; }

    public string? Message { get; private init; }

    public string? Device { get; private init; }

    public bool? Attached { get; private init; }

    public DriverCapabilities? Capabilities { get; private init; }

    /// <summary>0 for Success and Not supported, 1 for Failure: kubelet treats any non-zero exit as failure.</summary>
    public int ExitCode => Status == ReplyStatus.Failure ? 1 : 0;

    public static Reply Success() => new(ReplyStatus.Success);

    public static Reply Initialized(DriverCapabilities capabilities) => new(ReplyStatus.Success) { Capabilities = capabilities };

    public static Reply WithDevice(string device) => new(ReplyStatus.Success) { Device = device };

    public static Reply WithAttached(bool attached) => new(ReplyStatus.Success) { Attached = attached };

    public static Reply Informational(string message) => new(ReplyStatus.Success) { Message = message };

    public static Reply NotSupported(string? message = null) => new(ReplyStatus.NotSupported) { Message = message };

    public static Reply Failure(string message) => new(ReplyStatus.Failure) { Message = message };

    /// <summary>The same reply with its message replaced (for redaction).</summary>
    public Reply WithMessage(string? message) => this with { Message = message };
}
