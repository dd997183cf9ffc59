using Microsoft.Extensions.Configuration;
using Serilog.Events;
using TusUpload.Pipeline;

namespace TusUpload.Worker;

/// <summary>Checks the worker's Serilog levels before Serilog reads them; keeps a refused start to one line.</summary>
internal static class WorkerLogging
{
    private const string MinimumLevelKey = "Serilog:MinimumLevel";

    /// <summary>
    /// Refuses a <c>Serilog:MinimumLevel</c> value (the section's own, <c>Default</c> or an <c>Override</c>) that
    /// Serilog cannot parse, naming its key: Serilog threw when the logger was built, which stopped the start with
    /// "The value … is not a valid Serilog level" and a stack trace. Parsed as Serilog does, so nothing it takes is
    /// refused.
    /// </summary>
    public static void CheckLevels(IConfiguration configuration)
    {
        var section = configuration.GetSection(MinimumLevelKey);
        var keys = new[] { section, section.GetSection("Default") }
            .Concat(section.GetSection("Override").GetChildren());
        foreach (var key in keys)
        {
            if (key.Value is { } level && !Enum.TryParse<LogEventLevel>(level, ignoreCase: true, out _))
            {
                throw HostSettings.Refuse(
                    key.Path,
                    $"{key.Path} must be one of {string.Join(", ", Enum.GetNames<LogEventLevel>())} (was '{level}').");
            }
        }
    }

    /// <summary>
    /// The host's own report of a start refused from outside (a taken metrics port, a database that refused): Program
    /// says what to fix in one line, and the report repeated it as an Error with a stack trace.
    /// </summary>
    public static bool IsStartRefusalReport(LogEvent logEvent) =>
        HostSettings.IsStartRefusalReport(
            logEvent.MessageTemplate.Text,
            logEvent.Properties.TryGetValue("SourceContext", out var source) ? (source as ScalarValue)?.Value : null,
            logEvent.Exception);
}
