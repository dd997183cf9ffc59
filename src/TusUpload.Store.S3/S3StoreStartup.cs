using System.Net;
using Amazon.S3;
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

    private const string StartupTimeoutKey =
        S3StoreOptions.SectionName + ":" + nameof(S3StoreOptions.StartupTimeout);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var serviceUrl = options.Value.ServiceUrl;
        var timeout = options.Value.StartupTimeout;
        bool exists;

        // The SDK's retries of a service that accepts connections and never answers took minutes; one overall
        // bound gives the operator the reason while it still matters (and a stopping host waits for none of it).
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            exists = options.Value.CreateBucket
                ? await CreateAsync(serviceUrl, deadline.Token)
                : await bucket.BucketExistsAsync(deadline.Token);
        }
        catch (Exception denied) when (AccessRefusal(denied) is { } refused)
        {
            // It answered, and the answer is about the settings: restarting would meet the same refusal.
            throw new OptionsValidationException(
                S3StoreOptions.SectionName,
                typeof(S3StoreOptions),
                [$"the S3 service at {serviceUrl} refused access to bucket {settings.Bucket} "
                    + $"({refused.ErrorCode ?? refused.StatusCode.ToString()}); check {S3StoreOptions.SectionName}:"
                    + "AccessKey, SecretKey and the bucket's permissions."]);
        }
        catch (Exception unreachable) when (unreachable is not OptionsValidationException
            && !cancellationToken.IsCancellationRequested)
        {
            // An address that is wrong or a service that is down: the operator needs the address and the reason,
            // not the SDK's stack.
            var reason = deadline.IsCancellationRequested
                ? $"no answer within {timeout} ({StartupTimeoutKey})"
                : FirstLine(unreachable.Message);
            throw new StoreStartException(
                $"the S3 service at {serviceUrl} did not answer for bucket {settings.Bucket}: {reason}",
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

    // The SDK's exception, thrown as it is or wrapped by the bucket's own error translation.
    private static AmazonS3Exception? AccessRefusal(Exception exception) =>
        (exception as AmazonS3Exception ?? exception.InnerException as AmazonS3Exception) is { } s3
            && s3.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized
            ? s3
            : null;

    private async Task<bool> CreateAsync(string serviceUrl, CancellationToken cancellationToken)
    {
        await bucket.EnsureBucketAsync(cancellationToken);
        S3StoreLog.BucketReady(logger, settings.Bucket, serviceUrl);
        return true;
    }
}
