using System.Data.Common;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TusUpload.Protocol.Storage;

namespace TusUpload.Pipeline;

/// <summary>How the server and worker processes read and check their settings, in one place for both.</summary>
public static class HostSettings
{
    // The start of the configuration binder's message for a value it cannot convert (it has no exception type).
    private const string UnconvertiblePrefix = "Failed to convert configuration value";

    // The start of the message of a settings file that is not valid JSON ("… from file '…/appsettings.json'.").
    private const string UnreadablePrefix = "Failed to load configuration from file";

    /// <summary>
    /// The process's arguments with reload-on-change turned off: settings are read once (options are validated at
    /// start), and reloading meant a recursive watch of the content root, where the default data folder lives, so
    /// every upload's file events woke the watcher.
    /// </summary>
    public static string[] ReadOnce(string[] args) => ["--hostBuilder:reloadConfigOnChange=false", .. args];

    /// <summary>
    /// A kind setting (<c>Store:Kind</c>, <c>Ledger:Kind</c>, <c>Locking:Kind</c>, <c>Pipeline:Queue</c>) as both
    /// hosts match it: case and surrounding spaces do not matter, and unset or blank means the default.
    /// </summary>
    public static string NormalizeKind(string? value, string fallback) =>
        (string.IsNullOrWhiteSpace(value) ? fallback : value).Trim().ToLowerInvariant();

    /// <summary>
    /// Runs an options type's own <c>Validate()</c>, which throws an <see cref="ArgumentException"/> naming the
    /// setting, and turns that into the <see cref="OptionsValidationException"/> that <see cref="ReportAsync"/>
    /// reports as a bad setting instead of a crash with a stack trace.
    /// </summary>
    public static bool Passes<TOptions>(TOptions options, Action<TOptions> validate)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(validate);
        try
        {
            validate(options);
            return true;
        }
        catch (ArgumentException invalid)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(TOptions), [Reason(invalid)]);
        }
    }

    /// <summary>
    /// A setting refused while the host is assembled (a kind with no implementation, a log format), reported like
    /// a failed validation: one <c>Invalid configuration:</c> line, exit code 2.
    /// </summary>
    public static OptionsValidationException Refuse(string setting, string reason) =>
        new(setting, typeof(string), [reason]);

    /// <summary>
    /// Checks every options type registered with <c>ValidateOnStart</c> at once, before anything reads one: the
    /// operator sees every bad setting in one run (each group threw on its own first use otherwise), and the host
    /// never starts only to log its failure with a stack trace.
    /// </summary>
    public static void CheckAll(IServiceProvider services) => services.GetService<IStartupValidator>()?.Validate();

    /// <summary>
    /// Runs the store's start-up (<see cref="IStoreStartup"/>) after <see cref="CheckAll"/> and before the host
    /// starts: a setting the store refuses there (a missing bucket it must not create) throws the
    /// <see cref="OptionsValidationException"/> that <see cref="ReportAsync"/> reports in one line.
    /// </summary>
    public static async Task StartStoreAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        foreach (var startup in services.GetServices<IStoreStartup>())
        {
            await startup.StartAsync(cancellationToken);
        }
    }

    /// <summary>
    /// What to say, after <c>Cannot start:</c>, for a start that failed on something outside the process rather than
    /// on a setting: an address already taken (the server's, the worker's metrics port), a database that refused
    /// (a wrong password, no such database, missing rights; the server also for an outage), a store whose service
    /// did not answer. Null for anything else. The hosts print the line and exit with code 1, since a restart may
    /// well succeed (the address freed, the service back), instead of crashing with a stack trace.
    /// </summary>
    public static string? StartRefusal(Exception failure) => failure switch
    {
        IOException taken when taken.InnerException is AddressInUseException => taken.Message,
        DbException refused => "the database refused: " + FirstLine(refused.Message),
        StoreStartException unreachable => unreachable.Message,
        _ => null,
    };

    // The .NET host's own report of a hosted service that failed to start, logged before it rethrows the failure.
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";
    private const string HostStartFailure = "Hosting failed to start";

    /// <summary>
    /// Whether a log event is the host's own report of a <see cref="StartRefusal"/>: the hosts leave it out of their
    /// logs, since its stack trace buried the one line that says what to fix. Takes the event's parts, so that this
    /// assembly needs no logging library's types.
    /// </summary>
    public static bool IsStartRefusalReport(string messageTemplate, object? sourceContext, Exception? exception) =>
        exception is not null
        && messageTemplate == HostStartFailure
        && Equals(sourceContext, HostCategory)
        && StartRefusal(exception) is not null;

    /// <summary>The first line of an exception's message, for a one-line report.</summary>
    public static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    /// <summary>
    /// True for what <see cref="ReportAsync"/> reports as bad settings: failed validations (one or several), and a
    /// value that cannot even be converted to its setting's type (text where a number or a duration belongs), which
    /// the configuration binder reports as an <see cref="InvalidOperationException"/> of its own.
    /// </summary>
    public static bool IsBadSetting(Exception exception) => exception switch
    {
        OptionsValidationException => true,
        AggregateException { InnerExceptions.Count: > 0 } all => all.InnerExceptions.All(IsBadSetting),
        InvalidOperationException unconvertible => unconvertible.Message.StartsWith(
            UnconvertiblePrefix,
            StringComparison.Ordinal),
        InvalidDataException unreadable => unreadable.Message.StartsWith(UnreadablePrefix, StringComparison.Ordinal),
        _ => false,
    };

    /// <summary>
    /// A setting the operator has to fix, not a crash: one <c>Invalid configuration:</c> line per failure on
    /// standard error, no stack trace. Returns the process's exit code, 2.
    /// </summary>
    public static async Task<int> ReportAsync(Exception badSetting)
    {
        ArgumentNullException.ThrowIfNull(badSetting);
        foreach (var line in ReasonsOf(badSetting))
        {
            await Console.Error.WriteLineAsync($"Invalid configuration: {line}");
        }

        return 2;
    }

    private static IEnumerable<string> ReasonsOf(Exception badSetting) => badSetting switch
    {
        OptionsValidationException invalid => invalid.Failures,
        AggregateException all => all.InnerExceptions.SelectMany(ReasonsOf),

        // "Failed to convert configuration value at 'Tus:MaxSize' to type 'System.Int64'." and the parser's reason.
        _ => [badSetting.InnerException is ArgumentException parser
            ? $"{badSetting.Message} {Reason(parser)}"
            : $"{badSetting.Message} {badSetting.InnerException?.Message.Split('\n')[0]}".TrimEnd()],
    };

    // .NET appends " (Parameter 'X')" and, for a value out of range, "Actual value was …" on a line of its own.
    private static string Reason(ArgumentException invalid)
    {
        var message = invalid.Message;
        var note = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return note < 0 ? message.Split('\n')[0] : message[..note];
    }
}
