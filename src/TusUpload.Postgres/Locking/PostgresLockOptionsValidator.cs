using Microsoft.Extensions.Options;

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

        if (options.RenewInterval <= TimeSpan.Zero || options.RenewInterval * 3 > options.LeaseDuration)
        {
            return ValidateOptionsResult.Fail(
                $"{Section}:RenewInterval must be positive and at most a third of LeaseDuration.");
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
