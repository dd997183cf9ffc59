using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TusUpload.Store.S3;

/// <summary>
/// Creates the bucket at start-up when configured to, or else checks that it exists, and states the store's
/// effective settings. Either fails start-up when it cannot be done: a missing bucket is a configuration error (a
/// typo, say) that no request could succeed with, and an unreachable S3 service fails start-up the same way
/// whether or not the bucket is to be created.
/// </summary>
public sealed class S3StoreStartup(
    S3Bucket bucket,
    S3StoreSettings settings,
    IOptions<S3StoreOptions> options,
    ILogger<S3StoreStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var serviceUrl = options.Value.ServiceUrl;
        if (options.Value.CreateBucket)
        {
            await bucket.EnsureBucketAsync(cancellationToken);
            S3StoreLog.BucketReady(logger, settings.Bucket, serviceUrl);
        }
        else if (!await bucket.BucketExistsAsync(cancellationToken))
        {
            S3StoreLog.BucketMissing(logger, settings.Bucket, serviceUrl);
            throw new InvalidOperationException(
                $"S3 bucket {settings.Bucket} does not exist at {serviceUrl}; create it, or set "
                + "Store:S3:CreateBucket=true to have it created at start-up.");
        }

        S3StoreLog.StoreReady(logger, settings.Bucket, serviceUrl, settings.PartSize, settings.MaxParts);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
