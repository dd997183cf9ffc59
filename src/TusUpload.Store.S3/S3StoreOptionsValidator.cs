using Microsoft.Extensions.Options;
using TusUpload.Protocol;

namespace TusUpload.Store.S3;

/// <summary>
/// Fails start-up on an unusable S3 configuration, naming the setting (never its secret value).
/// <paramref name="maxUploadSize"/> is <c>Tus:MaxSize</c>, from which the part size is derived.
/// </summary>
public sealed class S3StoreOptionsValidator(long? maxUploadSize = null) : IValidateOptions<S3StoreOptions>
{
    private const string Section = S3StoreOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, S3StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        var problems = new List<string>();
        if (!Uri.TryCreate(options.ServiceUrl, UriKind.Absolute, out var url)
            || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            problems.Add($"{Section}:ServiceUrl must be an absolute http(s) URL (was '{options.ServiceUrl}').");
        }

        if (string.IsNullOrWhiteSpace(options.Bucket))
        {
            problems.Add($"{Section}:Bucket must name a bucket.");
        }

        if (string.IsNullOrEmpty(options.AccessKey) || string.IsNullOrEmpty(options.SecretKey))
        {
            problems.Add($"{Section}:AccessKey and {Section}:SecretKey are required.");
        }

        if (string.IsNullOrWhiteSpace(options.Region))
        {
            problems.Add($"{Section}:Region must name a region.");
        }

        // S3 takes parts of up to 5 GiB, but this store collects a part in memory and counts it in an int: a part
        // of 3 GiB passed and then failed every PATCH.
        if (options.PartSize != 0
            && options.PartSize is < S3StoreOptions.MinPartSize or > S3StoreOptions.MaxBufferedPartSize)
        {
            problems.Add(
                $"{Section}:PartSize must be 0 (derived) or between {S3StoreOptions.MinPartSize} and "
                + $"{S3StoreOptions.MaxBufferedPartSize} bytes (was {options.PartSize}).");
        }

        if (options.MaxParts is < 1 or > S3StoreOptions.MaxPartsLimit)
        {
            problems.Add(
                $"{Section}:MaxParts must be between 1 and {S3StoreOptions.MaxPartsLimit} (was {options.MaxParts}).");
        }
        else if (options.PartSize == 0
            && options.EffectivePartSize(maxUploadSize) is > S3StoreOptions.MaxBufferedPartSize and var derived)
        {
            // The derived part grows with Tus:MaxSize: 70 TB asked for parts of 7 GB, past both limits, unnoticed.
            problems.Add(
                $"{Section}:PartSize derived from Tus:MaxSize ({maxUploadSize} bytes in {Section}:MaxParts "
                + $"{options.MaxParts} parts) would be {derived} bytes, more than "
                + $"{S3StoreOptions.MaxBufferedPartSize}; lower Tus:MaxSize or raise {Section}:MaxParts.");
        }

        if (options.MaxPartsInFlight < 1 || options.MaxPartsInFlightPerRequest < 1)
        {
            problems.Add($"{Section}:MaxPartsInFlight and {Section}:MaxPartsInFlightPerRequest must be at least 1.");
        }

        // The S3 client refuses a longer timeout when it is created, which stopped the start with a stack trace.
        if (options.RequestTimeout <= TimeSpan.Zero || options.RequestTimeout > S3StoreOptions.MaxRequestTimeout)
        {
            problems.Add(
                $"{Section}:RequestTimeout must be positive and at most {S3StoreOptions.MaxRequestTimeout} "
                + $"(was {options.RequestTimeout}).");
        }

        // Each retry waits longer than the last: with S3 down, a very large count held a request for good instead of
        // answering 503 (a POST with 2147483647 never answered).
        if (options.MaxRetries is < 0 or > S3StoreOptions.MaxRetriesLimit)
        {
            problems.Add(
                $"{Section}:MaxRetries must be between 0 and {S3StoreOptions.MaxRetriesLimit} "
                + $"(was {options.MaxRetries}).");
        }

        // The bound is a timer's: a longer one stopped the start with a stack trace instead of naming the setting.
        if (options.StartupTimeout <= TimeSpan.Zero || options.StartupTimeout > TusOptionsValidator.LongestTimer)
        {
            problems.Add(
                $"{Section}:StartupTimeout must be positive and at most {TusOptionsValidator.LongestTimer} "
                + $"(was {options.StartupTimeout}).");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
