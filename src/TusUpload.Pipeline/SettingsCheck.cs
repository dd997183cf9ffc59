using Microsoft.Extensions.Options;

namespace TusUpload.Pipeline;

/// <summary>
/// Runs an options type's own <c>Validate()</c>, which throws an <see cref="ArgumentException"/> naming the setting,
/// and turns that into the <see cref="OptionsValidationException"/> the hosts report as a bad setting (one line,
/// exit code 2) instead of a crash with a stack trace.
/// </summary>
public static class SettingsCheck
{
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

    // .NET appends " (Parameter 'X')" and, for a value out of range, "Actual value was …" on a line of its own.
    private static string Reason(ArgumentException invalid)
    {
        var message = invalid.Message;
        var note = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return note < 0 ? message.Split('\n')[0] : message[..note];
    }
}
