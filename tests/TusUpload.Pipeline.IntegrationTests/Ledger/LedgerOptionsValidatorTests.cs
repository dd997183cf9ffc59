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

    [Fact]
    public void A_sqlite_path_whose_folder_cannot_be_made_fails_naming_the_setting()
    {
        // Passed, and then the start stopped with SQLite's "unable to open database file" and a stack trace.
        var file = Path.GetTempFileName();
        try
        {
            var options = new LedgerOptions { Path = Path.Combine(file, "ledger.db") };

            var result = _validator.Validate(null, options);

            Assert.True(result.Failed);
            Assert.StartsWith("Ledger:Path '", Assert.Single(result.Failures), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_sqlite_path_that_names_a_folder_fails_naming_the_setting()
    {
        var options = new LedgerOptions { Path = Path.GetTempPath() };

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Ledger:Path", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("it is a folder", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sqlite_path_in_a_folder_yet_to_be_made_is_valid_and_leaves_only_the_folder()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"ledger-probe-test-{Guid.NewGuid():N}");
        try
        {
            var options = new LedgerOptions { Path = Path.Combine(folder, "sub", "ledger.db") };

            var result = _validator.Validate(null, options);

            Assert.True(result.Succeeded, result.FailureMessage);
            Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(folder, "sub")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_postgres_ledger_does_not_probe_the_sqlite_path()
    {
        var options = new LedgerOptions { Kind = LedgerKinds.Postgres, Path = Path.GetTempPath() };

        var result = _validator.Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }
}
