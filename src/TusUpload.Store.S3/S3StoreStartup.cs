using System.Net;
using Amazon.S3;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TusUpload.Store.S3;

/// <summary>Creates the bucket at start-up when configured to, and states the store's effective settings.</summary>
public sealed class S3StoreStartup(
    IAmazonS3 client,
    S3StoreSettings settings,
    IOptions<S3StoreOptions> options,
    ILogger<S3StoreStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var serviceUrl = options.Value.ServiceUrl;
        if (options.Value.CreateBucket)
        {
            try
            {
                await client.PutBucketAsync(settings.Bucket, cancellationToken);
                S3StoreLog.BucketCreated(logger, settings.Bucket, serviceUrl);
            }
            catch (AmazonS3Exception exception) when (
                exception.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists"
                || exception.StatusCode == HttpStatusCode.Conflict)
            {
                // There already: the usual case after the first start.
            }
        }

        S3StoreLog.StoreReady(logger, settings.Bucket, serviceUrl, settings.PartSize, settings.MaxParts);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
