using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TusUpload.Protocol.Storage;

namespace TusUpload.Store.S3;

/// <summary>
/// Creates the bucket at start-up when configured to, or else checks that it exists, and states the store's
/// effective settings. Either fails start-up when it cannot be done: a missing bucket is a configuration error (a
/// typo, say) that no request could succeed with, and an unreachable S3 service fails start-up the same way
/// whether or not the bucket is to be created. The hosts run it before they start (see <see cref="IStoreStartup"/>).
/// </summary>
public sealed class S3StoreStartup(
    S3Bucket bucket,
    S3StoreSettings settings,
    IOptions<S3StoreOptions> options,
    ILogger<S3StoreStartup> logger) : IStoreStartup
{
    private const string CreateBucketKey = S3StoreOptions.SectionName + ":" + nameof(S3StoreOptions.CreateBucket);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var serviceUrl = options.Value.ServiceUrl;
        bool exists;
        try
        {
            exists = options.Value.CreateBucket
                ? await CreateAsync(serviceUrl, cancellationToken)
                : await bucket.BucketExistsAsync(cancellationToken);
        }
        catch (Exception unreachable) when (unreachable is not OptionsValidationException
            && !cancellationToken.IsCancellationRequested)
        {
            // The SDK's own retries are spent: an address that is wrong or a service that is down. Either way the
            // operator needs the address and the reason, not the SDK's stack.
            throw new StoreStartException(
                $"the S3 service at {serviceUrl} did not answer for bucket {settings.Bucket}: "
                + FirstLine(unreachable.Message),
                unreachable);
        }

        if (!exists)
        {
            // A setting the operator has to fix, refused the way a failed validation is: one line naming the
            // bucket and the setting, exit code 2, rather than a crash with a stack trace.
            throw new OptionsValidationException(
                CreateBucketKey,
                typeof(S3StoreOptions),
                [$"S3 bucket {settings.Bucket} does not exist at {serviceUrl} and {CreateBucketKey} is false; "
                    + $"create the bucket, or set {CreateBucketKey}=true to have it created at start-up."]);
        }

        S3StoreLog.StoreReady(logger, settings.Bucket, serviceUrl, settings.PartSize, settings.MaxParts);
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    private async Task<bool> CreateAsync(string serviceUrl, CancellationToken cancellationToken)
    {
        await bucket.EnsureBucketAsync(cancellationToken);
        S3StoreLog.BucketReady(logger, settings.Bucket, serviceUrl);
        return true;
    }
}
