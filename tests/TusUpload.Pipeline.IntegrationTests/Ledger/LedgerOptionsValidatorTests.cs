using TusUpload.Pipeline.Ledger;

namespace TusUpload.Pipeline.IntegrationTests.Ledger;

public sealed class LedgerOptionsValidatorTests
{
    private readonly LedgerOptionsValidator _validator = new();

    [Fact]
    public void Defaults_are_valid_and_keep_sent_outbox_rows_seven_days()
    {
        var options = new LedgerOptions();

        var result = _validator.Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal(TimeSpan.FromDays(7), options.SentOutboxRetention);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("-00:00:01")]
    [InlineData("-7.00:00:00")]
    [InlineData("36500.00:00:01")]
    public void Sent_outbox_retention_that_is_not_positive_or_absurdly_long_fails_naming_the_setting(string value)
    {
        var options = new LedgerOptions
        {
            SentOutboxRetention = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture),
        };

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures);
        Assert.StartsWith("Ledger:SentOutboxRetention must be more than zero", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:01")]
    [InlineData("1.00:00:00")]
    [InlineData("36500.00:00:00")]
    public void Sent_outbox_retention_from_a_second_to_a_hundred_years_is_valid(string value)
    {
        var options = new LedgerOptions
        {
            SentOutboxRetention = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture),
        };

        var result = _validator.Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }
}
