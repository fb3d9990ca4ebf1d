using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Display;
using Serilog.Extensions.Logging;
using Serilog.Sinks.SystemConsole.Themes;
using VolumeDriver.Configuration;

namespace VolumeDriver.Logging;

/// <summary>
/// The process's logging: a Serilog logger configured in code, behind a Microsoft.Extensions.Logging
/// <see cref="ILoggerFactory"/>. It writes to the configured file (shared between the concurrent verb
/// processes through <see cref="SharedFileSink"/>, rolled by size) and, only when <c>--verbose</c> asks for it, to stderr as well.
/// </summary>
/// <remarks>
/// A sink that cannot write tells only Serilog's SelfLog, which must stay off (stderr belongs to the
/// reply). So the file is opened once here first, and when that fails logging goes on without the
/// file and <see cref="FileSinkError"/> says why.
/// Dispose to flush before the process exits.
/// </remarks>
internal sealed class LoggingSetup : IDisposable
{
    public const long FileSizeLimitBytes = 10 * 1024 * 1024;
    public const int RetainedFileCountLimit = 5;

    /// <summary>UTC time, level, process id, source (the logging class), message and exception.</summary>
    public const string OutputTemplate =
        "{" + ProcessContextEnricher.UtcTimestampProperty + ":yyyy-MM-ddTHH:mm:ss.fffZ} [{Level:u3}] [{" + ProcessContextEnricher.ProcessIdProperty + "}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    private readonly Logger _logger;
    private readonly SerilogLoggerFactory _loggerFactory;

    private LoggingSetup(Logger logger, SerilogLoggerFactory loggerFactory, string? fileSinkError)
    {
        _logger = logger;
        _loggerFactory = loggerFactory;
        FileSinkError = fileSinkError;
    }

    /// <summary>Creates loggers; each category becomes the event's SourceContext.</summary>
    public ILoggerFactory LoggerFactory => _loggerFactory;

    /// <summary>Why the log file is not written, or null when it is.</summary>
    public string? FileSinkError { get; }

    /// <summary>
    /// Builds the logger. Never throws for an unusable log file and never writes to stdout or stderr
    /// unless <paramref name="verbose"/> asks for stderr.
    /// </summary>
    public static LoggingSetup Create(LogConfiguration configuration, bool verbose)
    {
        var fileSinkError = ProbeLogFile(configuration.File);

        var serilog = new LoggerConfiguration()
            .MinimumLevel.Is(ToSerilogLevel(configuration.Level))
            .Enrich.With(new ProcessContextEnricher(Environment.ProcessId));

        if (fileSinkError is null)
        {
            serilog.WriteTo.Sink(new SharedFileSink(
                configuration.File,
                new MessageTemplateTextFormatter(OutputTemplate, CultureInfo.InvariantCulture),
                FileSizeLimitBytes,
                RetainedFileCountLimit));
        }

        if (verbose)
        {
            WriteTextToStandardError(serilog);
        }

        var logger = serilog.CreateLogger();
        var setup = new LoggingSetup(logger, new SerilogLoggerFactory(logger, dispose: false), fileSinkError);
        if (fileSinkError is not null)
        {
            // Reaches stderr only with --verbose; otherwise there is no sink and this is a no-op.
            Log.LogFileUnavailable(setup.LoggerFactory.CreateLogger<LoggingSetup>(), fileSinkError);
        }

        return setup;
    }

    /// <summary>
    /// The provisioner mode's logging: one JSON object per line on <paramref name="output"/> (its
    /// stdout, which the cluster's log collector reads) and, with <paramref name="verbose"/>, the
    /// usual text lines on stderr as well. No log file: a pod's files are lost with it.
    /// </summary>
    public static LoggingSetup CreateJsonLines(Stream output, LogLevelSetting level, bool verbose)
    {
        var serilog = new LoggerConfiguration()
            .MinimumLevel.Is(ToSerilogLevel(level))
            .Enrich.With(new ProcessContextEnricher(Environment.ProcessId))
            .WriteTo.Sink(new LineStreamSink(output, new JsonLineFormatter()));
        if (verbose)
        {
            WriteTextToStandardError(serilog);
        }

        var logger = serilog.CreateLogger();
        return new LoggingSetup(logger, new SerilogLoggerFactory(logger, dispose: false), fileSinkError: null);
    }

    /// <summary>--verbose: the text lines on stderr as well (every level there, so stdout stays the protocol).</summary>
    private static void WriteTextToStandardError(LoggerConfiguration serilog) =>
        serilog.WriteTo.Console(
            outputTemplate: OutputTemplate,
            formatProvider: CultureInfo.InvariantCulture,
            standardErrorFromLevel: LogEventLevel.Verbose,
            theme: ConsoleTheme.None);

    public void Dispose()
    {
        _loggerFactory.Dispose();
        _logger.Dispose();
    }

    /// <summary>Opens the log file for append the way the sink will, creating its directory; null on success.</summary>
    /// <remarks>
    /// Not through FileStream: it takes a shared flock(2) of its own without waiting, which fails while
    /// another verb's sink holds its exclusive lock for a write, and this verb would log nothing.
    /// </remarks>
    private static string? ProbeLogFile(string path)
    {
        try
        {
            var directory = Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            foreach (var file in (string[])[path, SharedFileSink.LockPathOf(path)])
            {
                using var handle = SharedFileSink.OpenForAppend(file, out var errno);
                if (handle.IsInvalid)
                {
                    return $"the log file '{file}' cannot be opened for writing: {Marshal.GetPInvokeErrorMessage(errno)}";
                }
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return $"the log file '{path}' cannot be opened for writing: {e.Message}";
        }
    }

    private static LogEventLevel ToSerilogLevel(LogLevelSetting level) => level switch
    {
        LogLevelSetting.Verbose => LogEventLevel.Verbose,
        LogLevelSetting.Debug => LogEventLevel.Debug,
        LogLevelSetting.Information => LogEventLevel.Information,
        LogLevelSetting.Warning => LogEventLevel.Warning,
        LogLevelSetting.Error => LogEventLevel.Error,
        LogLevelSetting.Fatal => LogEventLevel.Fatal,
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "Unknown log level."),
    };
}
