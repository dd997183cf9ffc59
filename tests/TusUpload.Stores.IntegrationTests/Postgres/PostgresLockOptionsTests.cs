using TusUpload.Postgres.Locking;
using TusUpload.Protocol;

namespace TusUpload.Stores.IntegrationTests.Postgres;

/// <summary>Start-up validation of the lease timings; needs no database.</summary>
public sealed class PostgresLockOptionsTests
{
    private readonly PostgresLockOptionsValidator _validator = new();

    [Fact]
    public void Defaults_are_valid()
    {
        var result = _validator.Validate(null, new PostgresLockOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void A_renew_interval_three_times_of_which_overflows_fails_naming_the_setting()
    {
        // This threw an OverflowException out of the validator, which stopped the start with a stack trace.
        var options = new PostgresLockOptions { LeaseDuration = TimeSpan.MaxValue, RenewInterval = TimeSpan.MaxValue };

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Locking:Postgres:RenewInterval", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:00.0001")]
    [InlineData("50.00:00:00")]
    public void A_renew_interval_no_periodic_timer_takes_fails_naming_the_setting(string value)
    {
        // Both passed with a long enough lease, and then every lock's renewal threw when it started.
        var interval = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
        var options = new PostgresLockOptions { LeaseDuration = TimeSpan.FromDays(365), RenewInterval = interval };

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Locking:Postgres:RenewInterval", result.FailureMessage, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PeriodicTimer(interval));
    }

    [Fact]
    public void The_longest_renew_interval_a_timer_takes_is_valid()
    {
        var longest = TusOptionsValidator.LongestTimer;
        using var timer = new PeriodicTimer(longest);
        var options = new PostgresLockOptions { LeaseDuration = TimeSpan.MaxValue, RenewInterval = longest };

        var result = _validator.Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }
}
