using System.Security.Cryptography;

namespace VolumeDriver.Host;

/// <summary>
/// What identifies a file's content: its size and SHA-256. Install uses it to skip an identical copy
/// and doctor to tell whether the installed executable is the one running.
/// </summary>
/// <param name="Size">The length in bytes.</param>
/// <param name="Sha256">The SHA-256 of the content, lower-case hex.</param>
internal sealed record FileFingerprint(long Size, string Sha256)
{
    public static async Task<FileFingerprint> ComputeAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var hash = await SHA256.HashDataAsync(stream, cancellationToken);
        return new FileFingerprint(stream.Length, Convert.ToHexStringLower(hash));
    }

    /// <summary>True when both files hold the same bytes; the sizes are compared before any hashing.</summary>
    public static async Task<bool> SameContentAsync(string first, string second, CancellationToken cancellationToken)
    {
        if (new FileInfo(first).Length != new FileInfo(second).Length)
        {
            return false;
        }

        var a = await ComputeAsync(first, cancellationToken);
        var b = await ComputeAsync(second, cancellationToken);
        return a == b;
    }

    /// <summary>The first 12 hex digits, enough for a person to compare two reports.</summary>
    public string ShortHash => Sha256[..12];
}
