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
