using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using TusUpload.Protocol.Storage;

namespace TusUpload.Store.S3;

/// <summary>Content-addressed blobs in the same bucket, under <c>{prefix}blobs/{sha256}</c>.</summary>
public sealed class S3BlobStore(S3Bucket bucket, ILogger<S3BlobStore> logger) : IBlobStore
{
    /// <summary>Largest object a single CopyObject may copy; larger ones are copied part by part.</summary>
    private const long SingleCopyLimit = 5L * 1024 * 1024 * 1024;

    public async Task PromoteAsync(UploadInfo upload, string sha256, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        if (await ExistsAsync(sha256, cancellationToken))
        {
            return;
        }

        var source = bucket.Keys.Content(upload.Id);
        var target = bucket.Keys.Blob(sha256);

        // A complete upload's object is exactly its length long, so asking S3 for the size (HEAD) is needed only
        // when the length is unknown; a missing object then fails the copy instead, with the same error.
        var size = upload.Length
            ?? await bucket.GetSizeAsync(upload.Id, source, cancellationToken)
            ?? throw NoData(upload.Id, null);
        try
        {
            await CopyAsync(upload.Id, source, target, size, cancellationToken);
        }
        catch (UploadStoreException exception) when (exception.InnerException is AmazonS3Exception missing
            && S3Faults.IsNotFound(missing))
        {
            throw NoData(upload.Id, exception);
        }

        S3StoreLog.BlobPromoted(logger, sha256, upload.Id);
    }

    public async Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken)
    {
        return await bucket.GetSizeAsync(sha256, bucket.Keys.Blob(sha256), cancellationToken) is not null;
    }

    public async Task<Stream> OpenReadAsync(string sha256, long start, long count, CancellationToken cancellationToken)
    {
        return await bucket.OpenRangeAsync(sha256, bucket.Keys.Blob(sha256), start, count, cancellationToken);
    }

    /// <summary>
    /// Deletes only the upload's content object. The info object is left untouched: rewriting it here could race
    /// with a termination and bring a deleted upload back. A later read of the content answers "not found".
    /// </summary>
    public Task ReleaseUploadDataAsync(string uploadId, CancellationToken cancellationToken)
    {
        return bucket.DeleteObjectAsync(uploadId, bucket.Keys.Content(uploadId), cancellationToken);
    }

    public Task DeleteAsync(string sha256, CancellationToken cancellationToken)
    {
        return bucket.DeleteObjectAsync(sha256, bucket.Keys.Blob(sha256), cancellationToken);
    }

    private static UploadStoreException NoData(string uploadId, Exception? inner) =>
        new(UploadStoreError.NotFound, $"Upload {uploadId} has no data to promote.", inner);

    private async Task CopyAsync(
        string uploadId,
        string source,
        string target,
        long size,
        CancellationToken cancellationToken)
    {
        if (size <= SingleCopyLimit)
        {
            var request = new CopyObjectRequest
            {
                SourceBucket = bucket.Settings.Bucket,
                SourceKey = source,
                DestinationBucket = bucket.Settings.Bucket,
                DestinationKey = target,
            };
            if (bucket.Settings.ServerSideEncryption is { } encryption)
            {
                request.ServerSideEncryptionMethod = new Amazon.S3.ServerSideEncryptionMethod(encryption);
            }

            await bucket.CallAsync(
                uploadId,
                token => bucket.SendAsync(
                    S3Operation.CopyObject,
                    inner => bucket.Client.CopyObjectAsync(request, inner),
                    token),
                cancellationToken);
        }
        else
        {
            await CopyInPartsAsync(uploadId, source, target, size, cancellationToken);
        }
    }

    private async Task CopyInPartsAsync(
        string uploadId,
        string source,
        string target,
        long size,
        CancellationToken cancellationToken)
    {
        const long PartBytes = 1024L * 1024 * 1024;
        var started = await bucket.CallAsync(
            uploadId,
            token => bucket.SendAsync(
                S3Operation.CreateMultipartUpload,
                inner => bucket.Client.InitiateMultipartUploadAsync(bucket.Settings.Bucket, target, inner),
                token),
            cancellationToken);
        var etags = new List<PartETag>();
        for (long first = 0, number = 1; first < size; first += PartBytes, number++)
        {
            var request = new CopyPartRequest
            {
                SourceBucket = bucket.Settings.Bucket,
                SourceKey = source,
                DestinationBucket = bucket.Settings.Bucket,
                DestinationKey = target,
                UploadId = started.UploadId,
                PartNumber = (int)number,
                FirstByte = first,
                LastByte = Math.Min(first + PartBytes, size) - 1,
            };
            var copied = await bucket.CallAsync(
                uploadId,
                token => bucket.SendAsync(
                    S3Operation.UploadPartCopy,
                    inner => bucket.Client.CopyPartAsync(request, inner),
                    token),
                cancellationToken);
            etags.Add(new PartETag((int)number, copied.ETag));
        }

        var complete = new CompleteMultipartUploadRequest
        {
            BucketName = bucket.Settings.Bucket,
            Key = target,
            UploadId = started.UploadId,
            PartETags = etags,
        };
        await bucket.CallAsync(
            uploadId,
            token => bucket.SendAsync(
                S3Operation.CompleteMultipartUpload,
                inner => bucket.Client.CompleteMultipartUploadAsync(complete, inner),
                token),
            cancellationToken);
    }
}
