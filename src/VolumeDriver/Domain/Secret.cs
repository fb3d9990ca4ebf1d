namespace VolumeDriver.Domain;

/// <summary>
/// A password or key from the configuration. It prints as "***" so that a record holding it can be
/// logged or shown in an exception without leaking it; only <see cref="Reveal"/> gives the value.
/// </summary>
internal sealed class Secret
{
    private readonly string _value;

    public Secret(string value)
    {
        _value = value;
    }

    /// <summary>The value, for the one place that sends it (an Authorization header).</summary>
    public string Reveal() => _value;

    public override string ToString() => "***";
}
