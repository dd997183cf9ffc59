using Microsoft.Extensions.Options;
using TusUpload.Protocol;

namespace TusUpload.Postgres.Locking;

/// <summary>Fails start-up when the lease timings cannot keep a lease alive.</summary>
public sealed class PostgresLockOptionsValidator : IValidateOptions<PostgresLockOptions>
{
    private const string Section = PostgresLockOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, PostgresLockOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.LeaseDuration < TimeSpan.FromSeconds(1))
        {
            return ValidateOptionsResult.Fail($"{Section}:LeaseDuration must be at least 1 second.");
        }

        // Divided, not multiplied: three times a huge RenewInterval overflowed and stopped the start with a stack
        // trace. A periodic timer renews the lease; it takes 1 ms to ~49.7 days and threw on every lock otherwise.
        if (options.RenewInterval < TusOptionsValidator.ShortestTimer
            || options.RenewInterval > TusOptionsValidator.LongestTimer
            || options.RenewInterval > options.LeaseDuration / 3)
        {
            return ValidateOptionsResult.Fail(
                $"{Section}:RenewInterval must be at least {TusOptionsValidator.ShortestTimer}, at most "
                + $"{TusOptionsValidator.LongestTimer} and at most a third of LeaseDuration.");
        }

        if (options.PollInterval <= TimeSpan.Zero || options.PollInterval > TimeSpan.FromSeconds(1))
        {
            return ValidateOptionsResult.Fail($"{Section}:PollInterval must be between 0 and 1 second.");
        }

        return string.IsNullOrWhiteSpace(options.InstanceId)
            ? ValidateOptionsResult.Fail($"{Section}:InstanceId must not be empty.")
            : ValidateOptionsResult.Success;
    }
}
