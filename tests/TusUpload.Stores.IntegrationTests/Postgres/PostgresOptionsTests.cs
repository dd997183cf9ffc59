using Npgsql;
using TusUpload.Postgres;

namespace TusUpload.Stores.IntegrationTests.Postgres;

public sealed class PostgresOptionsTests
{
    [Fact]
    public void Connection_string_without_a_pool_size_gets_the_configured_maximum()
    {
        var options = new PostgresOptions { ConnectionString = "Host=127.0.0.1;Database=tus", MaxPoolSize = 12 };

        var effective = new NpgsqlConnectionStringBuilder(options.EffectiveConnectionString());

        Assert.Equal((12, "127.0.0.1", "tus"), (effective.MaxPoolSize, effective.Host, effective.Database));
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Maximum Pool Size=7")]
    [InlineData("Host=127.0.0.1;maxpoolsize=7")]
    public void Connection_string_that_names_a_pool_size_keeps_it(string connectionString)
    {
        var options = new PostgresOptions { ConnectionString = connectionString, MaxPoolSize = 12 };

        var effective = new NpgsqlConnectionStringBuilder(options.EffectiveConnectionString());

        Assert.Equal(7, effective.MaxPoolSize);
    }

    [Theory]
    [InlineData("Host=127.0.0.1", 262_144, "Postgres:MaxPoolSize")]
    [InlineData("Host=127.0.0.1", int.MaxValue, "Postgres:MaxPoolSize")]
    [InlineData("Host=127.0.0.1;Maximum Pool Size=2147483647", 20, "Postgres:ConnectionString")]
    public void Pool_size_above_what_PostgreSQL_allows_fails_start_up_naming_the_setting(
        string connectionString,
        int maxPoolSize,
        string setting)
    {
        // 2147483647 passed and then stopped the start with "Out of memory." and no setting named.
        var options = new PostgresOptions { ConnectionString = connectionString, MaxPoolSize = maxPoolSize };

        var result = new PostgresOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(setting, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_largest_pool_size_is_valid()
    {
        var options = new PostgresOptions
        {
            ConnectionString = "Host=127.0.0.1",
            MaxPoolSize = PostgresOptionsValidator.LargestPoolSize,
        };

        var result = new PostgresOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Pool_size_below_four_fails_start_up_naming_the_setting()
    {
        var options = new PostgresOptions { ConnectionString = "Host=127.0.0.1", MaxPoolSize = 2 };

        var result = new PostgresOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Postgres:MaxPoolSize", result.FailureMessage, StringComparison.Ordinal);
    }
}
