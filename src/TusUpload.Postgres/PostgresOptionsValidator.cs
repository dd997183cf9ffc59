using Microsoft.Extensions.Options;
using Npgsql;

namespace TusUpload.Postgres;

/// <summary>Fails start-up on a missing or unparsable connection string, without echoing it.</summary>
public sealed class PostgresOptionsValidator : IValidateOptions<PostgresOptions>
{
    /// <summary>
    /// The largest pool: PostgreSQL's own ceiling of <c>max_connections</c>, so no pool can use more. Npgsql sizes
    /// its pool up front, and <c>2147483647</c> stopped the start with "Out of memory." and no setting named.
    /// </summary>
    public const int LargestPoolSize = 262_143;

    public ValidateOptionsResult Validate(string? name, PostgresOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return ValidateOptionsResult.Fail($"{PostgresOptions.SectionName}:ConnectionString is required.");
        }

        if (options.MaxPoolSize is < 4 or > LargestPoolSize)
        {
            // The lease lock keeps one connection for LISTEN; fewer than four leaves requests queueing for the rest.
            return ValidateOptionsResult.Fail(
                $"{PostgresOptions.SectionName}:MaxPoolSize must be between 4 and {LargestPoolSize}.");
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
            if (builder.MaxPoolSize > LargestPoolSize)
            {
                return ValidateOptionsResult.Fail(
                    $"{PostgresOptions.SectionName}:ConnectionString sets Maximum Pool Size above {LargestPoolSize}.");
            }

            return string.IsNullOrEmpty(builder.Host)
                ? ValidateOptionsResult.Fail($"{PostgresOptions.SectionName}:ConnectionString names no Host.")
                : ValidateOptionsResult.Success;
        }
        catch (ArgumentException)
        {
            return ValidateOptionsResult.Fail($"{PostgresOptions.SectionName}:ConnectionString cannot be parsed.");
        }
    }
}
