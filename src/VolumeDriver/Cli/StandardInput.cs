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
    private readonly Func<bool> _isOpen;
    private string? _content;

    /// <param name="isOpen">Whether the process was given a stdin at all (production: <see cref="Host.InheritedDescriptor.IsInherited"/> of 0).</param>
    public StandardInput(Func<Stream> open, Func<bool> isOpen)
    {
        _open = open;
        _isOpen = isOpen;
    }

    /// <summary>What was read from stdin, or null when nothing asked for it.</summary>
    public string? Content => _content;

    /// <summary>Returns the argument, or stdin's content when the argument is "-".</summary>
    public async Task<string> ResolveAsync(string argument, string argumentName, CancellationToken cancellationToken)
    {
        if (argument != Marker)
        {
            return argument;
        }

        if (_content is null)
        {
            if (!_isOpen())
            {
                // Reading would wait forever on whatever the runtime opened in its place.
                throw new InvalidOptionException(argumentName, $"{argumentName} is '-', which reads it from stdin, but stdin is closed; pass the JSON as the argument, or pipe it in");
            }

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
