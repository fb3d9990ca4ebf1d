using VolumeDriver.Errors;

namespace VolumeDriver.Cli;

/// <summary>
/// Lets any JSON argument be given as "-" and read from stdin, for smoke tests that pipe options in.
/// stdin is read once, on demand, and at most <see cref="MaxBytes"/> of it.
/// </summary>
internal sealed class StandardInput
{
    public const string Marker = "-";
    private const int MaxBytes = 1 << 20;

    private readonly Func<Stream> _open;
    private string? _content;

    public StandardInput(Func<Stream> open)
    {
        _open = open;
    }

    /// <summary>Returns the argument, or stdin's content when the argument is "-".</summary>
    public async Task<string> ResolveAsync(string argument, string argumentName, CancellationToken cancellationToken)
    {
        if (argument != Marker)
        {
            return argument;
        }

        if (_content is null)
        {
            await using var stream = _open();
            using var reader = new StreamReader(stream);
            var buffer = new char[MaxBytes + 1];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = await reader.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
            {
                total += read;
            }

            if (total > MaxBytes)
            {
                throw new InvalidOptionException(argumentName, $"{argumentName} read from stdin is larger than {MaxBytes} bytes");
            }

            _content = new string(buffer, 0, total);
        }

        return _content;
    }
}
