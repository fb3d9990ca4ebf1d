namespace VolumeDriver.Host;

/// <summary>What an external tool did: its exit code and everything it printed.</summary>
internal sealed record ProcessResult(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    /// <summary>The last part of what the tool said, for an error message: stderr, else stdout.</summary>
    public string OutputTail(int maxChars = 600)
    {
        var text = string.IsNullOrWhiteSpace(Stderr) ? Stdout : Stderr;
        text = text.Trim();
        return text.Length <= maxChars ? text : "…" + text[^maxChars..];
    }
}
