using Microsoft.Extensions.Options;

namespace TusUpload.Pipeline;

/// <summary>How the server and worker processes read and check their settings, in one place for both.</summary>
public static class HostSettings
{
    /// <summary>
    /// The process's arguments with reload-on-change turned off: settings are read once (options are validated at
    /// start), and reloading meant a recursive watch of the content root, where the default data folder lives, so
    /// every upload's file events woke the watcher.
    /// </summary>
    public static string[] ReadOnce(string[] args) => ["--hostBuilder:reloadConfigOnChange=false", .. args];

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
    /// A setting the operator has to fix, not a crash: one <c>Invalid configuration:</c> line per failure on
    /// standard error, no stack trace. Returns the process's exit code, 2.
    /// </summary>
    public static async Task<int> ReportAsync(OptionsValidationException invalid)
    {
        ArgumentNullException.ThrowIfNull(invalid);
        foreach (var failure in invalid.Failures)
        {
            await Console.Error.WriteLineAsync($"Invalid configuration: {failure}");
        }

        return 2;
    }

    // .NET appends " (Parameter 'X')" and, for a value out of range, "Actual value was …" on a line of its own.
    private static string Reason(ArgumentException invalid)
    {
        var message = invalid.Message;
        var note = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return note < 0 ? message.Split('\n')[0] : message[..note];
    }
}
