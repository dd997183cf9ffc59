using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TusUpload.Store.S3;

/// <summary>
/// Ready when the bucket answers a cheap listing of at most one key; not ready while S3 is unreachable or the bucket
/// is missing (deleted, or a wrong name), when every upload request answers 503.
/// </summary>
public sealed class S3StoreHealthCheck(IAmazonS3 client, S3StoreSettings settings) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context,
        CancellationToken cancellationToken = default)
    {
        try
        {
            var request = new ListObjectsV2Request { BucketName = settings.Bucket, MaxKeys = 1 };
            await client.ListObjectsV2Async(request, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (AmazonS3Exception exception) when (S3Faults.IsMissingBucket(exception))
        {
            return HealthCheckResult.Unhealthy($"S3 bucket {settings.Bucket} does not exist.", exception);
        }
        catch (Exception exception) when (exception is AmazonS3Exception or HttpRequestException or IOException
            or TaskCanceledException or Amazon.Runtime.AmazonClientException)
        {
            return HealthCheckResult.Unhealthy($"S3 bucket {settings.Bucket} does not answer.", exception);
        }
    }
}
