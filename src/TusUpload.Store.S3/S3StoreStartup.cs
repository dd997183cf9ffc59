using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TusUpload.Store.S3;

/// <summary>
/// Creates the bucket at start-up when configured to (failing start-up if it cannot), and states the store's
/// effective settings.
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

        S3StoreLog.StoreReady(logger, settings.Bucket, serviceUrl, settings.PartSize, settings.MaxParts);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
