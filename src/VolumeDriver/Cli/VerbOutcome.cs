using VolumeDriver.FlexVolume;

namespace VolumeDriver.Cli;

/// <summary>
/// What a command produced, for <see cref="VerbRunner"/>: either the reply it is to print (kubelet's
/// verbs, install), or the word that output the command printed itself (doctor's report, list's
/// table or document, migrate-vhd's document) so that the log line can say how it went.
/// </summary>
/// <param name="Reply">The reply for the runner to print, or null when the command printed its own output.</param>
/// <param name="Status">How the command ended, for the log line.</param>
/// <param name="ExitCode">The process's exit code when the command printed its own output.</param>
/// <param name="Detail">What the log line adds after the status (": 3 volume(s)"), or "".</param>
internal sealed record VerbOutcome(Reply? Reply, ReplyStatus Status, int ExitCode, string Detail)
{
    public static VerbOutcome Replied(Reply reply) => new(reply, reply.Status, reply.ExitCode, "");

    public static VerbOutcome Printed(ReplyStatus status, int exitCode, string detail) => new(null, status, exitCode, detail);
}
