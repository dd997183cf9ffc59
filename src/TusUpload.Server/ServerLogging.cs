using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;
using TusUpload.Pipeline;

namespace TusUpload.Server;

/// <summary>
/// Serilog for the whole process: console output, plain text by default or compact JSON when
/// <c>Logging:Format</c> is <c>json</c>; levels come from the usual <c>Logging:LogLevel</c> section.
/// </summary>
internal static class ServerLogging
{
    public const string FormatKey = "Logging:Format";

    private const string TextTemplate =
        "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    public static void Configure(LoggerConfiguration logger, IConfiguration configuration)
    {
        var format = configuration[FormatKey] ?? "text";
        var levels = configuration.GetSection("Logging:LogLevel");

        logger.MinimumLevel.Is(ToSerilog(levels["Default"], $"{levels.Path}:Default", LogEventLevel.Information));
        foreach (var category in levels.GetChildren())
        {
            if (category.Key != "Default")
            {
                logger.MinimumLevel.Override(
                    category.Key,
                    ToSerilog(category.Value, category.Path, LogEventLevel.Information));
            }
        }

        logger.Enrich.FromLogContext();

        // A start refused from outside (a taken address, a database that refused) is the operator's to fix, and
        // Program says so in one line; the host's own report of it is a stack trace of 20 to 30 lines that buries it.
        logger.Filter.ByExcluding(IsStartRefusalReport);
        _ = format.ToLowerInvariant() switch
        {
            "json" => logger.WriteTo.Console(new CompactJsonFormatter()),
            "text" => logger.WriteTo.Console(outputTemplate: TextTemplate, formatProvider: null),
            _ => throw HostSettings.Refuse(FormatKey, $"{FormatKey} must be 'text' or 'json' (was '{format}')."),
        };
    }

    private static bool IsStartRefusalReport(LogEvent logEvent) =>
        HostSettings.IsStartRefusalReport(
            logEvent.MessageTemplate.Text,
            logEvent.Properties.TryGetValue("SourceContext", out var source) ? (source as ScalarValue)?.Value : null,
            logEvent.Exception);

    /// <summary>
    /// Maps a Microsoft.Extensions.Logging level name; <c>None</c> keeps only fatal events. Any other value is
    /// refused naming <paramref name="setting"/>: a misspelt level stopped the start with a stack trace.
    /// </summary>
    public static LogEventLevel ToSerilog(string? level, string setting, LogEventLevel fallback)
    {
        if (string.IsNullOrEmpty(level))
        {
            return fallback;
        }

        // A number parses too, but names no level unless it is one of the defined values.
        if (!Enum.TryParse<LogLevel>(level, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
        {
            throw HostSettings.Refuse(
                setting,
                $"{setting} must be one of {string.Join(", ", Enum.GetNames<LogLevel>())} (was '{level}').");
        }

        return parsed switch
        {
            LogLevel.Trace => LogEventLevel.Verbose,
            LogLevel.Debug => LogEventLevel.Debug,
            LogLevel.Information => LogEventLevel.Information,
            LogLevel.Warning => LogEventLevel.Warning,
            LogLevel.Error => LogEventLevel.Error,
            _ => LogEventLevel.Fatal,
        };
    }
}
