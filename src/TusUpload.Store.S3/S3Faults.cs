using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using TusUpload.Protocol.Storage;

namespace TusUpload.Store.S3;

/// <summary>
/// Turns S3 client failures into store errors the protocol maps to status codes: anything that a retry can fix
/// (connection refused, timeouts, 5xx, throttling) is <see cref="UploadStoreError.Unavailable"/> (503), so a
/// client retries instead of trusting a wrong offset.
/// </summary>
internal static class S3Faults
{
    /// <summary>
    /// A key or multipart upload that S3 says is missing. Never a missing bucket: its 404 (NoSuchBucket) means that
    /// nothing can be found, not that an upload is gone. A 404 that names neither (a HEAD, whose answer has no body)
    /// counts here, and the caller confirms the bucket (<see cref="NamesMissingKey"/>) before trusting it.
    /// </summary>
    public static bool IsNotFound(AmazonS3Exception exception) =>
        !IsMissingBucket(exception)
        && (exception.StatusCode == HttpStatusCode.NotFound
            || exception.ErrorCode is "NoSuchKey" or "NotFound" or "NoSuchUpload");

    /// <summary>A 404 that says what is missing, a key or a multipart upload, so the bucket is there.</summary>
    public static bool NamesMissingKey(AmazonS3Exception exception) =>
        exception.ErrorCode is "NoSuchKey" or "NoSuchUpload";

    public static bool IsMissingBucket(Exception exception) =>
        exception is AmazonS3Exception { ErrorCode: "NoSuchBucket" };

    /// <summary>
    /// CompleteMultipartUpload found a listed part that S3 does not hold with that ETag (or out of order): a part was
    /// overwritten after it was recorded, by a late request of a writer that had lost the upload.
    /// </summary>
    public static bool IsPartMismatch(UploadStoreException exception) =>
        exception.InnerException is AmazonS3Exception { ErrorCode: "InvalidPart" or "InvalidPartOrder" };

    public static bool IsRetryable(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        AmazonServiceException service => (int)service.StatusCode >= 500
            || service.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
            || service.ErrorCode is "SlowDown" or "RequestTimeout" or "ServiceUnavailable" or "InternalError",
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        HttpRequestException or IOException or SocketException or TimeoutException => true,
        AmazonClientException => true,
        _ => false,
    };

    /// <summary>
    /// The <c>outcome</c> label of a failed request: a few fixed classes, so that an operator can tell what the
    /// store expects (a missing key it asked about, a conditional create that lost) from what needs attention
    /// (refusals such as a missing bucket or bad credentials, 5xx, throttling, the network).
    /// </summary>
    public static string Outcome(Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException)
        {
            // The SDK's own request timeout cancels too; only the caller's token means the caller gave up.
            return cancellationToken.IsCancellationRequested ? "canceled" : "timeout";
        }

        if (exception is AmazonServiceException { StatusCode: not 0 } service)
        {
            return service switch
            {
                { ErrorCode: "SlowDown" } or { StatusCode: HttpStatusCode.TooManyRequests } => "throttled",
                { StatusCode: HttpStatusCode.RequestTimeout } or { ErrorCode: "RequestTimeout" } => "timeout",
                { ErrorCode: "NoSuchBucket" } => "client_error",
                AmazonS3Exception s3 when IsNotFound(s3) => "not_found",
                { StatusCode: HttpStatusCode.PreconditionFailed } => "precondition_failed",
                { StatusCode: HttpStatusCode.Conflict } => "conflict",
                _ when (int)service.StatusCode >= 500 => "server_error",
                _ when (int)service.StatusCode >= 400 => "client_error",
                _ => "error",
            };
        }

        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is TimeoutException)
            {
                return "timeout";
            }

            if (inner is HttpRequestException or IOException or SocketException)
            {
                return "network";
            }
        }

        return "error";
    }

    /// <summary>The store exception for <paramref name="exception"/>, or null when it is not S3's fault.</summary>
    public static UploadStoreException? Translate(
        string bucket,
        string subject,
        Exception exception,
        CancellationToken cancellationToken)
    {
        if (exception is UploadStoreException)
        {
            return null;
        }

        if (IsMissingBucket(exception))
        {
            return MissingBucket(bucket, exception);
        }

        if (exception is AmazonS3Exception { ErrorCode: "NoSuchUpload" })
        {
            return new UploadStoreException(
                UploadStoreError.NotFound,
                $"The multipart upload of {subject} is gone.",
                exception);
        }

        if (IsRetryable(exception, cancellationToken))
        {
            return new UploadStoreException(
                UploadStoreError.Unavailable,
                $"S3 is unavailable while handling {subject}: {exception.GetType().Name}.",
                exception);
        }

        return exception is AmazonServiceException
            ? new UploadStoreException(UploadStoreError.Unknown, $"S3 refused a request for {subject}.", exception)
            : null;
    }

    /// <summary>
    /// A missing bucket is unavailable storage (503), never a missing upload: an instance configured with a wrong
    /// bucket, or one whose bucket vanished, must not answer 404 for uploads that exist, nor record the end of an
    /// upload whose data it merely cannot see. It is retryable for the client, since restoring the bucket brings
    /// the instance back without a restart, and the readiness check fails meanwhile.
    /// </summary>
    public static UploadStoreException MissingBucket(string bucket, Exception? exception) => new(
        UploadStoreError.Unavailable,
        $"S3 bucket {bucket} does not exist.",
        exception)
    {
        ClientReason = MissingBucketReason,
    };

    /// <summary>What a client is told; the bucket's name stays in the log.</summary>
    public const string MissingBucketReason = "Storage is unavailable: its S3 bucket does not exist; retry later.";
}
