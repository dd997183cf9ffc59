using TusUpload.Store.S3;

namespace TusUpload.Stores.IntegrationTests.S3;

/// <summary>Start-up validation and the derived part size of the S3 store's options.</summary>
public sealed class S3StoreOptionsTests
{
    private const long MiB = 1024 * 1024;

    [Theory]
    [InlineData(null, 5 * MiB)]
    [InlineData(10L * 1024 * MiB, 5 * MiB)]
    [InlineData(100L * 1024 * MiB, 11 * MiB)]
    [InlineData(5L * 1024 * 1024 * MiB, 525 * MiB)]
    public void Derived_part_size_is_the_smallest_whole_MiB_that_fits_the_largest_upload(long? maxSize, long expected)
    {
        var options = new S3StoreOptions();

        var partSize = options.EffectivePartSize(maxSize);

        Assert.Equal(expected, partSize);
        Assert.True(partSize * options.MaxParts >= (maxSize ?? 0));
    }

    [Fact]
    public void Configured_part_size_wins_over_the_derived_one()
    {
        var options = new S3StoreOptions { PartSize = 8 * MiB };

        Assert.Equal(8 * MiB, options.EffectivePartSize(1024 * 1024 * MiB));
    }

    [Theory]
    [InlineData("PartSize")]
    [InlineData("ServiceUrl")]
    [InlineData("AccessKey")]
    [InlineData("MaxParts")]
    [InlineData("MaxRetries")]
    [InlineData("StartupTimeout")]
    public void Invalid_setting_fails_validation_naming_the_setting(string setting)
    {
        var options = Valid();
        switch (setting)
        {
            case "PartSize":
                options.PartSize = 4 * MiB;
                break;
            case "ServiceUrl":
                options.ServiceUrl = "not a url";
                break;
            case "AccessKey":
                options.AccessKey = "";
                break;
            case "MaxRetries":
                options.MaxRetries = int.MaxValue;
                break;
            case "StartupTimeout":
                options.StartupTimeout = TimeSpan.Zero;
                break;
            default:
                options.MaxParts = 10_001;
                break;
        }

        var result = new S3StoreOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains($"Store:S3:{setting}", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain(options.SecretKey, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_part_larger_than_the_store_can_collect_in_memory_fails_naming_the_setting()
    {
        // 5 GiB is S3's limit and passed, but a part is counted in an int: every PATCH then failed with an overflow.
        var options = Valid();
        options.PartSize = S3StoreOptions.MaxBufferedPartSize + 1;

        var result = new S3StoreOptionsValidator().Validate(null, options);
        options.PartSize = S3StoreOptions.MaxBufferedPartSize;
        var largest = new S3StoreOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Store:S3:PartSize", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(largest.Succeeded, largest.FailureMessage);
    }

    [Theory]
    [InlineData(70_000_000_000_000)]
    [InlineData(long.MaxValue)]
    public void A_largest_upload_whose_derived_part_is_too_large_fails_naming_both_settings(long maxSize)
    {
        // 70 TB derived parts of 7 GB, past S3's 5 GiB; the largest long wrapped round and derived 5 MiB parts.
        var result = new S3StoreOptionsValidator(maxSize).Validate(null, Valid());

        Assert.True(result.Failed);
        Assert.Contains("Tus:MaxSize", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Store:S3:MaxParts", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(Valid().EffectivePartSize(maxSize) > S3StoreOptions.MaxBufferedPartSize);
    }

    [Fact]
    public void The_largest_upload_that_fits_the_largest_parts_passes()
    {
        var maxSize = 2047 * MiB * S3StoreOptions.MaxPartsLimit;

        var result = new S3StoreOptionsValidator(maxSize).Validate(null, Valid());

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal(2047 * MiB, Valid().EffectivePartSize(maxSize));
    }

    [Fact]
    public void A_request_timeout_the_S3_client_refuses_fails_naming_the_setting()
    {
        // The client refused it only when it was created, which stopped the start with a stack trace.
        var options = Valid();
        options.RequestTimeout = S3StoreOptions.MaxRequestTimeout + TimeSpan.FromMilliseconds(1);

        var result = new S3StoreOptionsValidator().Validate(null, options);
        options.RequestTimeout = S3StoreOptions.MaxRequestTimeout;
        using var client = S3StoreRegistration.CreateClient(options);

        Assert.True(result.Failed);
        Assert.Contains("Store:S3:RequestTimeout", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_startup_timeout_longer_than_a_timer_waits_fails_naming_the_setting()
    {
        // The check's deadline is a timer, which refuses a longer wait when it is set, with a stack trace.
        var options = Valid();
        options.StartupTimeout = TusUpload.Protocol.TusOptionsValidator.LongestTimer + TimeSpan.FromMilliseconds(1);

        var result = new S3StoreOptionsValidator().Validate(null, options);
        options.StartupTimeout = TusUpload.Protocol.TusOptionsValidator.LongestTimer;
        var longest = new S3StoreOptionsValidator().Validate(null, options);
        using var timer = new CancellationTokenSource();
        timer.CancelAfter(options.StartupTimeout);

        Assert.True(result.Failed);
        Assert.Contains("Store:S3:StartupTimeout", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(longest.Succeeded, longest.FailureMessage);
    }

    [Fact]
    public void Complete_settings_pass_validation()
    {
        var result = new S3StoreOptionsValidator().Validate(null, Valid());

        Assert.True(result.Succeeded);
    }

    private static S3StoreOptions Valid() => new()
    {
        ServiceUrl = "http://127.0.0.1:9000",
        AccessKey = "access",
        SecretKey = "very-secret-value",
    };
}
