using Microsoft.Extensions.Options;
using Npgsql;

namespace TusUpload.Postgres;

/// <summary>Fails start-up on a missing or unparsable connection string, without echoing it.</summary>
public sealed class PostgresOptionsValidator : IValidateOptions<PostgresOptions>
{
    public ValidateOptionsResult Validate(string? name, PostgresOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return ValidateOptionsResult.Fail($"{PostgresOptions.SectionName}:ConnectionString is required.");
        }

        if (options.MaxPoolSize < 4)
        {
            // The lease lock keeps one connection for LISTEN; fewer than four leaves requests queueing for the rest.
            return ValidateOptionsResult.Fail($"{PostgresOptions.SectionName}:MaxPoolSize must be at least 4.");
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
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
