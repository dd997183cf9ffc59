namespace TusUpload.Protocol.Tests;

public sealed class TusOptionsValidatorTests
{
    private readonly TusOptionsValidator _validator = new();

    [Fact]
    public void Defaults_are_valid()
    {
        var result = _validator.Validate(null, new TusOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Default_max_concat_parts_is_100_so_a_final_fits_in_header_limits()
    {
        Assert.Equal(100, new TusOptions().MaxConcatParts);
    }

    [Fact]
    public void Default_max_concat_copies_is_4_so_a_final_may_repeat_partials_but_not_multiply_them_a_hundredfold()
    {
        Assert.Equal(4, new TusOptions().MaxConcatCopies);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Max_concat_copies_below_1_fails_naming_the_setting(int copies)
    {
        var result = _validator.Validate(null, new TusOptions { MaxConcatCopies = copies });

        Assert.True(result.Failed);
        Assert.Contains("Tus:MaxConcatCopies must be at least 1.", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("files/", "Tus:BasePath")]
    [InlineData("/files", "Tus:BasePath")]
    [InlineData("/a//b/", "Tus:BasePath")]
    public void Bad_base_path_fails_naming_the_setting(string basePath, string setting)
    {
        var result = _validator.Validate(null, new TusOptions { BasePath = basePath });

        Assert.True(result.Failed);
        Assert.Contains(setting, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/a?/")]
    [InlineData("/a}/")]
    [InlineData("/a#/")]
    [InlineData("/a%20b/")]
    [InlineData("/a\\b/")]
    [InlineData("/./")]
    [InlineData("/files/../")]
    public void A_base_path_that_cannot_be_routed_or_linked_to_fails_naming_the_setting(string basePath)
    {
        // '?' and '}' passed and then stopped the start with a route parser's stack trace; "%20" passed and every
        // Location URL led to a path that answered 404.
        var result = _validator.Validate(null, new TusOptions { BasePath = basePath });

        Assert.True(result.Failed);
        Assert.Contains("Tus:BasePath", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/files/")]
    [InlineData("/api/v1/uploads/")]
    [InlineData("/a b/")]
    [InlineData("/\u00fc.../")]
    public void A_routable_base_path_is_valid(string basePath)
    {
        var result = _validator.Validate(null, new TusOptions { BasePath = basePath });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Bad_values_each_fail_naming_their_setting()
    {
        var options = new TusOptions
        {
            MaxSize = -1,
            Expiry = TimeSpan.FromSeconds(-1),
            IdleTimeout = TimeSpan.Zero,
            AllowedOrigins = ["https://ok.example", "not a url", "https://x.example/path"],
            TrustedProxies = ["10.0.0.1", "192.168.0.0/16", "proxy.local", "10.0.0.1/8"],
            MaxMetadataBytes = 0,
            ReadBufferSize = 10,
        };

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        foreach (var setting in (string[])["Tus:MaxSize", "Tus:Expiry", "Tus:IdleTimeout", "'not a url'",
                     "https://x.example/path", "proxy.local", "'10.0.0.1/8', whose address has bits set past",
                     "Tus:MaxMetadataBytes",
                     "Tus:ReadBufferSize"])
        {
            Assert.Contains(setting, result.FailureMessage, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("https://ok.example'", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("'10.0.0.1'", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("192.168.0.0/16", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Tus:CommitTimeout")]
    [InlineData("Tus:SweepInterval")]
    [InlineData("Tus:IdleTimeout")]
    [InlineData("Tus:LockTakeoverTimeout")]
    public void A_duration_longer_than_any_timer_can_wait_fails_naming_the_setting(string setting)
    {
        // 50 days passed "must be positive" and then broke every POST, PATCH and DELETE (500) and every sweep
        // (CommitTimeout), or stopped the host with a stack trace (SweepInterval): timers take at most ~49.7 days.
        var tooLong = TimeSpan.FromDays(50);
        var options = setting switch
        {
            "Tus:CommitTimeout" => new TusOptions { CommitTimeout = tooLong },
            "Tus:SweepInterval" => new TusOptions { SweepInterval = tooLong },
            "Tus:LockTakeoverTimeout" => new TusOptions { LockTakeoverTimeout = tooLong },
            _ => new TusOptions { IdleTimeout = tooLong },
        };

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(setting, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Tus:CommitTimeout")]
    [InlineData("Tus:SweepInterval")]
    [InlineData("Tus:IdleTimeout")]
    public void A_duration_below_a_millisecond_fails_naming_the_setting(string setting)
    {
        // 0.1 ms passed "must be positive" and then stopped the host with a stack trace (SweepInterval: a periodic
        // timer takes no less than 1 ms) or timed out every commit at once (a cancellation timer rounds it to 0).
        var tooShort = TimeSpan.FromTicks(1_000);
        var options = setting switch
        {
            "Tus:CommitTimeout" => new TusOptions { CommitTimeout = tooShort },
            "Tus:SweepInterval" => new TusOptions { SweepInterval = tooShort },
            _ => new TusOptions { IdleTimeout = tooShort },
        };

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(setting, result.FailureMessage, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PeriodicTimer(tooShort));
    }

    [Fact]
    public void The_shortest_duration_a_timer_can_wait_is_valid()
    {
        var shortest = TusOptionsValidator.ShortestTimer;
        using var timer = new PeriodicTimer(shortest);
        var options = new TusOptions { SweepInterval = shortest, IdleTimeout = shortest };

        var result = _validator.Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(200)]
    [InlineData(999)]
    public void A_commit_timeout_below_a_second_fails_with_one_line_naming_the_setting(int milliseconds)
    {
        // 1 ms passed and then answered 503 to half of ten one-by-one PATCHes on an idle server: a commit's fsyncs
        // and the completion's ledger record take longer than such a bound, and far longer under load.
        var options = new TusOptions { CommitTimeout = TimeSpan.FromMilliseconds(milliseconds) };

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Tus:CommitTimeout must be at least 00:00:01 ", failure, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', failure);
    }

    [Fact]
    public void A_commit_timeout_of_one_second_is_valid()
    {
        var options = new TusOptions { CommitTimeout = TusOptionsValidator.ShortestCommitTimeout };

        var result = _validator.Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal(TimeSpan.FromSeconds(1), TusOptionsValidator.ShortestCommitTimeout);
    }

    [Fact]
    public void The_longest_duration_a_timer_can_wait_is_valid()
    {
        var longest = TusOptionsValidator.LongestTimer;
        using var timer = new PeriodicTimer(longest);
        using var timeout = new CancellationTokenSource(longest);
        var options = new TusOptions { CommitTimeout = longest, SweepInterval = longest, IdleTimeout = longest };

        var result = _validator.Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void An_expiry_that_no_date_could_hold_fails_and_a_century_passes()
    {
        var tooLong = _validator.Validate(null, new TusOptions { Expiry = TimeSpan.MaxValue });
        var century = _validator.Validate(null, new TusOptions { Expiry = TusOptionsValidator.LongestExpiry });

        Assert.True(tooLong.Failed);
        Assert.Contains("Tus:Expiry", tooLong.FailureMessage, StringComparison.Ordinal);
        Assert.True(century.Succeeded, century.FailureMessage);
        Assert.True(DateTimeOffset.UtcNow + TusOptionsValidator.LongestExpiry < DateTimeOffset.MaxValue);
    }

    [Fact]
    public void Zero_max_size_and_zero_expiry_turn_features_off_and_are_valid()
    {
        var options = new TusOptions { MaxSize = 0, Expiry = TimeSpan.Zero, AllowedOrigins = ["*"] };

        var result = _validator.Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.False(options.ExpirationEnabled);
    }
}
