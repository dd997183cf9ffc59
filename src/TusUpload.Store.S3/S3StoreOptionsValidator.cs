using Microsoft.Extensions.Options;

namespace TusUpload.Store.S3;

/// <summary>Fails start-up on an unusable S3 configuration, naming the setting (never its secret value).</summary>
public sealed class S3StoreOptionsValidator : IValidateOptions<S3StoreOptions>
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

        if (options.PartSize != 0
            && options.PartSize is < S3StoreOptions.MinPartSize or > S3StoreOptions.MaxPartSizeLimit)
        {
            problems.Add(
                $"{Section}:PartSize must be 0 (derived) or between {S3StoreOptions.MinPartSize} and "
                + $"{S3StoreOptions.MaxPartSizeLimit} bytes (was {options.PartSize}).");
        }

        if (options.MaxParts is < 1 or > S3StoreOptions.MaxPartsLimit)
        {
            problems.Add(
                $"{Section}:MaxParts must be between 1 and {S3StoreOptions.MaxPartsLimit} (was {options.MaxParts}).");
        }

        if (options.MaxPartsInFlight < 1 || options.MaxPartsInFlightPerRequest < 1)
        {
            problems.Add($"{Section}:MaxPartsInFlight and {Section}:MaxPartsInFlightPerRequest must be at least 1.");
        }

        if (options.RequestTimeout <= TimeSpan.Zero || options.MaxRetries < 0)
        {
            problems.Add($"{Section}:RequestTimeout must be positive and {Section}:MaxRetries not negative.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
