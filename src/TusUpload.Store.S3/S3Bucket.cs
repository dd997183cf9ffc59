using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using TusUpload.Protocol.Storage;

namespace TusUpload.Store.S3;

/// <summary>
/// The S3 calls the store makes, each with its failures translated into store errors, and each request measured
/// by <see cref="SendAsync"/> (no metrics without <paramref name="metrics"/>).
/// </summary>
public sealed partial class S3Bucket(IAmazonS3 client, S3StoreSettings settings, S3Metrics? metrics = null)
{
    /// <summary>
    /// How long a HeadBucket that found the bucket vouches for it when a 404 does not say what is missing.
    /// </summary>
    private static readonly TimeSpan s_bucketConfirmation = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _bucketGate = new(1, 1);
    private volatile bool _bucketReady;
    private long _bucketSeenAt;

    public S3StoreSettings Settings { get; } = settings;

    /// <summary>The newest info objects this process wrote or read (see <see cref="S3StateCache"/>).</summary>
    public S3StateCache States { get; } = new();

    public S3Keys Keys => Settings.Keys;

    public IAmazonS3 Client { get; } = client;

    public S3Metrics Metrics { get; } = metrics ?? S3Metrics.None;

    private string Name => Settings.Bucket;

    public async Task<S3UploadState?> ReadStateAsync(string uploadId, CancellationToken cancellationToken) =>
        (await ReadStateAndETagAsync(uploadId, cancellationToken)).State;

    /// <summary>Reads the upload's info object and the ETag of what was read (both null when there is none).</summary>
    public async Task<(S3UploadState? State, string? ETag)> ReadStateAndETagAsync(
        string uploadId,
        CancellationToken cancellationToken)
    {
        if (await ReadInfoAsync(uploadId, cancellationToken) is not { } info)
        {
            States.Forget(uploadId);
            return (null, null);
        }

        var (bytes, etag) = info;
        var state = Decode(uploadId, bytes);
        if (state is not null)
        {
            state.ETag = etag;
            States.Remember(uploadId, state.Revision, bytes, etag);
        }

        return (state, etag);
    }

    /// <summary>The info object's bytes and ETag, or null when there is none.</summary>
    private Task<(byte[] Bytes, string ETag)?> ReadInfoAsync(string uploadId, CancellationToken cancellationToken)
    {
        return CallAsync<(byte[], string)?>(uploadId, async token =>
        {
            try
            {
                using var response = await SendAsync(
                    S3Operation.GetObject,
                    inner => Client.GetObjectAsync(Name, Keys.Info(uploadId), inner),
                    token);
                using var json = new MemoryStream();
                await response.ResponseStream.CopyToAsync(json, token);
                var bytes = json.ToArray();
                Metrics.Received(S3Operation.GetObject, S3Metrics.InfoObject, bytes.Length);
                return (bytes, response.ETag);
            }
            catch (AmazonS3Exception exception) when (S3Faults.IsNotFound(exception))
            {
                await ConfirmMissingKeyAsync(exception, token);
                return null;
            }
        }, cancellationToken);
    }

    /// <summary>
    /// An info object that is not the JSON the store writes is damaged storage, as a disk store's torn info file
    /// is: requests for the upload answer so, and DELETE can still remove it.
    /// </summary>
    private static S3UploadState? Decode(string uploadId, byte[] bytes)
    {
        try
        {
            return JsonSerializer.Deserialize(bytes, S3JsonContext.Default.S3UploadState);
        }
        catch (JsonException exception)
        {
            throw new UploadStoreException(
                UploadStoreError.Damaged,
                $"The info object of upload {uploadId} is damaged: {exception.Message}",
                exception);
        }
    }

    /// <summary>
    /// Writes the info object in one PUT, which S3 makes visible atomically: a creation only if the key is free
    /// (If-None-Match), an update only over the version <paramref name="state"/> was read from or last written as
    /// (If-Match on its ETag). An update that finds another version fails as unavailable (503, worth a retry):
    /// another writer took the upload over, which a request holding the upload's lock sees only when its lease was
    /// taken while it was cut off. Every PUT of the store is signed over its whole payload rather than sent in
    /// aws-chunked encoding: the bytes are in hand anyway, and the body is then just the content, without a
    /// signature per 64 KiB chunk for the server to strip.
    /// </summary>
    public async Task WriteStateAsync(S3UploadState state, bool createOnly, CancellationToken cancellationToken)
    {
        state.Revision++;
        var json = JsonSerializer.SerializeToUtf8Bytes(state, S3JsonContext.Default.S3UploadState);
        var request = new PutObjectRequest
        {
            BucketName = Name,
            Key = Keys.Info(state.Id),
            InputStream = new MemoryStream(json, writable: false),
            ContentType = "application/json",
            UseChunkEncoding = false,
        };
        if (createOnly)
        {
            request.IfNoneMatch = "*";
        }
        else if (state.ETag is { } expected)
        {
            request.IfMatch = expected;
        }

        ApplyEncryption(request);
        var etag = await CallAsync(state.Id, async token =>
        {
            try
            {
                var response = await SendAsync(
                    S3Operation.PutObject,
                    inner => Client.PutObjectAsync(request, inner),
                    token);
                Metrics.Sent(S3Operation.PutObject, S3Metrics.InfoObject, json.Length);
                return response.ETag;
            }
            catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                if (createOnly)
                {
                    throw new UploadStoreException(
                        UploadStoreError.AlreadyExists,
                        $"Upload {state.Id} exists already.");
                }

                return null;
            }
            catch (AmazonS3Exception exception) when (!createOnly && S3Faults.IsNotFound(exception))
            {
                await ConfirmMissingKeyAsync(exception, token);
                throw new UploadStoreException(UploadStoreError.NotFound, $"Upload {state.Id} is gone.", exception);
            }
        }, cancellationToken);

        // The SDK retries a request whose answer was lost, and the retry of an update that went through finds its
        // own version: that is success, not a takeover.
        etag ??= await ETagIfStoredAsync(state.Id, json, cancellationToken)
            ?? throw new UploadStoreException(
                UploadStoreError.Unavailable,
                $"Upload {state.Id} was changed by another writer; this request no longer holds it.");

        state.ETag = etag;
        States.Remember(state.Id, state.Revision, json, etag);
    }

    /// <summary>The ETag of the upload's info object if it holds exactly <paramref name="json"/>, else null.</summary>
    private async Task<string?> ETagIfStoredAsync(string uploadId, byte[] json, CancellationToken cancellationToken)
    {
        var stored = await ReadInfoAsync(uploadId, cancellationToken);
        return stored is { } info && info.Bytes.AsSpan().SequenceEqual(json) ? info.ETag : null;
    }

    public Task<string> StartMultipartAsync(string uploadId, CancellationToken cancellationToken)
    {
        return CallAsync(uploadId, async token =>
        {
            var request = new InitiateMultipartUploadRequest { BucketName = Name, Key = Keys.Content(uploadId) };
            if (Settings.ServerSideEncryption is { } encryption)
            {
                request.ServerSideEncryptionMethod = new ServerSideEncryptionMethod(encryption);
            }

            var response = await SendAsync(
                S3Operation.CreateMultipartUpload,
                inner => Client.InitiateMultipartUploadAsync(request, inner),
                token);
            return response.UploadId;
        }, cancellationToken);
    }

    internal Task<string> UploadPartAsync(
        string uploadId,
        string multipartUploadId,
        int partNumber,
        PartBuffer data,
        CancellationToken cancellationToken)
    {
        return CallAsync(uploadId, async token =>
        {
            var request = new UploadPartRequest
            {
                BucketName = Name,
                Key = Keys.Content(uploadId),
                UploadId = multipartUploadId,
                PartNumber = partNumber,
                InputStream = data.OpenRead(),
                PartSize = data.Length,
                UseChunkEncoding = false,
            };
            var response = await SendAsync(
                S3Operation.UploadPart,
                inner => Client.UploadPartAsync(request, inner),
                token);
            Metrics.Sent(S3Operation.UploadPart, S3Metrics.ContentObject, data.Length);
            return response.ETag;
        }, cancellationToken);
    }

    /// <summary>Writes a whole object in one PUT and returns its ETag.</summary>
    internal Task<string> PutObjectAsync(
        string uploadId,
        string key,
        PartBuffer data,
        CancellationToken cancellationToken)
    {
        return CallAsync(uploadId, async token =>
        {
            var request = new PutObjectRequest
            {
                BucketName = Name,
                Key = key,
                InputStream = data.OpenRead(),
                UseChunkEncoding = false,
            };
            ApplyEncryption(request);
            var response = await SendAsync(
                S3Operation.PutObject,
                inner => Client.PutObjectAsync(request, inner),
                token);
            Metrics.Sent(S3Operation.PutObject, S3Metrics.ContentObject, data.Length);
            return response.ETag;
        }, cancellationToken);
    }

    /// <summary>Reads a whole small object into <paramref name="part"/> and returns its length.</summary>
    internal Task<int> ReadObjectIntoAsync(
        string uploadId,
        string key,
        PartBuffer part,
        CancellationToken cancellationToken)
    {
        return CallAsync(uploadId, async token =>
        {
            using var response = await SendAsync(
                S3Operation.GetObject,
                inner => Client.GetObjectAsync(Name, key, inner),
                token);
            var read = await part.FillAsync(response.ResponseStream, token);
            Metrics.Received(S3Operation.GetObject, S3Metrics.ContentObject, read);
            return read;
        }, cancellationToken);
    }

    public Task CompleteAsync(S3UploadState state, CancellationToken cancellationToken)
    {
        return CallAsync(state.Id, async token =>
        {
            var request = new CompleteMultipartUploadRequest
            {
                BucketName = Name,
                Key = Keys.Content(state.Id),
                UploadId = state.MultipartUploadId,
                PartETags = new List<PartETag>(state.Parts.Count),
            };
            foreach (var part in state.Parts)
            {
                request.PartETags.Add(new PartETag(part.Number, part.ETag));
            }

            await SendAsync(
                S3Operation.CompleteMultipartUpload,
                inner => Client.CompleteMultipartUploadAsync(request, inner),
                token);
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// The parts S3 holds for the upload's multipart upload, page by page, or null when the service refuses
    /// ListParts (an S3 clone without it, credentials without <c>s3:ListMultipartUploadParts</c>). Only the recovery
    /// from an overwritten part asks: the info object is the record of the parts everywhere else.
    /// </summary>
    internal async Task<List<S3Part>?> ListPartsAsync(S3UploadState state, CancellationToken cancellationToken)
    {
        var parts = new List<S3Part>();
        int? marker = null;
        do
        {
            var request = new ListPartsRequest
            {
                BucketName = Name,
                Key = Keys.Content(state.Id),
                UploadId = state.MultipartUploadId,
                PartNumberMarker = marker?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            ListPartsResponse page;
            try
            {
                page = await CallAsync(
                    state.Id,
                    token => SendAsync(S3Operation.ListParts, inner => Client.ListPartsAsync(request, inner), token),
                    cancellationToken);
            }
            catch (UploadStoreException exception) when (exception.Error == UploadStoreError.Unknown)
            {
                return null;
            }

            foreach (var part in page.Parts ?? [])
            {
                parts.Add(new S3Part(part.PartNumber ?? 0, part.ETag, part.Size ?? 0));
            }

            marker = page.IsTruncated == true ? page.NextPartNumberMarker : null;
        }
        while (marker is not null);

        return parts;
    }

    /// <summary>Aborts a multipart upload; one that is gone already is not an error.</summary>
    public Task AbortAsync(string uploadId, string multipartUploadId, CancellationToken cancellationToken)
    {
        return CallAsync(uploadId, async token =>
        {
            try
            {
                await SendAsync(
                    S3Operation.AbortMultipartUpload,
                    inner => Client.AbortMultipartUploadAsync(Name, Keys.Content(uploadId), multipartUploadId, inner),
                    token);
            }
            catch (AmazonS3Exception exception) when (S3Faults.IsNotFound(exception))
            {
                // Gone already: aborting twice is how a retried termination looks.
                await ConfirmMissingKeyAsync(exception, token);
            }

            return true;
        }, cancellationToken);
    }

    /// <summary>Deletes one object; a missing object is not an error (S3 answers 204 for it anyway).</summary>
    public Task DeleteObjectAsync(string subject, string key, CancellationToken cancellationToken)
    {
        return CallAsync(subject, async token =>
        {
            await SendAsync(S3Operation.DeleteObject, inner => Client.DeleteObjectAsync(Name, key, inner), token);
            return true;
        }, cancellationToken);
    }

    public async Task<long?> GetSizeAsync(string subject, string key, CancellationToken cancellationToken)
    {
        return await CallAsync(subject, async token =>
        {
            try
            {
                var response = await SendAsync(
                    S3Operation.HeadObject,
                    inner => Client.GetObjectMetadataAsync(Name, key, inner),
                    token);
                return (long?)response.ContentLength;
            }
            catch (AmazonS3Exception exception) when (S3Faults.IsNotFound(exception))
            {
                // A HEAD's 404 has no body, so a missing bucket looks just like a missing key here.
                await ConfirmMissingKeyAsync(exception, token);
                return null;
            }
        }, cancellationToken);
    }

    /// <summary>Opens <paramref name="count"/> bytes of an object from <paramref name="start"/> (ranged GET).</summary>
    public async Task<Stream> OpenRangeAsync(
        string subject,
        string key,
        long start,
        long count,
        CancellationToken cancellationToken)
    {
        if (count <= 0)
        {
            return Stream.Null;
        }

        return await CallAsync(subject, async token =>
        {
            var request = new GetObjectRequest
            {
                BucketName = Name,
                Key = key,
                ByteRange = new ByteRange(start, start + count - 1),
            };
            var response = await SendAsync(
                S3Operation.GetObject,
                inner => Client.GetObjectAsync(request, inner),
                token);
            return (Stream)new S3ResponseStream(response, Metrics);
        }, cancellationToken);
    }

    public async IAsyncEnumerable<string> ListKeysAsync(
        string prefix,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var listed in ListObjectsAsync(prefix, cancellationToken))
        {
            yield return listed.Key;
        }
    }

    /// <summary>Every object under <paramref name="prefix"/>, with the ETag the listing gives for it.</summary>
    public async IAsyncEnumerable<S3Object> ListObjectsAsync(
        string prefix,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? continuation = null;
        do
        {
            var request = new ListObjectsV2Request
            {
                BucketName = Name,
                Prefix = prefix,
                ContinuationToken = continuation,
            };
            var page = await CallAsync(
                prefix,
                token => SendAsync(
                    S3Operation.ListObjectsV2,
                    inner => Client.ListObjectsV2Async(request, inner),
                    token),
                cancellationToken);
            foreach (var item in page.S3Objects ?? [])
            {
                yield return item;
            }

            continuation = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (continuation is not null);
    }

    public async Task<T> CallAsync<T>(
        string subject,
        Func<CancellationToken, Task<T>> call,
        CancellationToken cancellationToken)
    {
        try
        {
            if (Settings.CreateBucket && !_bucketReady)
            {
                await EnsureBucketAsync(cancellationToken);
            }

            return await call(cancellationToken);
        }
        catch (Exception exception) when (
            S3Faults.Translate(Name, subject, exception, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>
    /// Sends one S3 request and measures it. Every request of the store goes through here (most inside
    /// <see cref="CallAsync"/>, which translates failures), so each is counted once with its outcome, failures that
    /// the caller expects and handles (a missing key, a conditional create that lost) included.
    /// </summary>
    public async Task<T> SendAsync<T>(
        string operation,
        Func<CancellationToken, Task<T>> request,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await request(cancellationToken);
            Metrics.Requested(operation, "ok", Stopwatch.GetElapsedTime(started));
            return response;
        }
        catch (Exception exception)
        {
            var outcome = S3Faults.Outcome(exception, cancellationToken);
            Metrics.Requested(operation, outcome, Stopwatch.GetElapsedTime(started));
            throw;
        }
    }

    /// <summary>
    /// Creates the bucket if it is missing. The hosts do it before they start (<see cref="S3StoreStartup"/>); every
    /// call also waits for it, so that a host that does not run the store's start-up never meets a missing bucket.
    /// </summary>
    public async Task EnsureBucketAsync(CancellationToken cancellationToken)
    {
        await _bucketGate.WaitAsync(cancellationToken);
        try
        {
            if (_bucketReady)
            {
                return;
            }

            try
            {
                await SendAsync(
                    S3Operation.CreateBucket,
                    token => Client.PutBucketAsync(Name, token),
                    cancellationToken);
            }
            catch (AmazonS3Exception exception) when (
                exception.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists"
                || exception.StatusCode == HttpStatusCode.Conflict)
            {
                // There already: the usual case after the first start.
            }

            _bucketReady = true;
        }
        finally
        {
            _bucketGate.Release();
        }
    }

    /// <summary>Whether the bucket exists (HeadBucket); failures other than its 404 are thrown as they come.</summary>
    public async Task<bool> BucketExistsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(
                S3Operation.HeadBucket,
                token => Client.HeadBucketAsync(new HeadBucketRequest { BucketName = Name }, token),
                cancellationToken);
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        Volatile.Write(ref _bucketSeenAt, Stopwatch.GetTimestamp());
        return true;
    }

    /// <summary>
    /// Lets a 404 stand for a missing key or multipart upload only when the bucket is there: a 404 that does not
    /// say what is missing (a HEAD's answer has no body) is confirmed with a HeadBucket, at most one per
    /// <see cref="s_bucketConfirmation"/>, so a missing bucket is never taken for a missing upload. A 404 that names
    /// the key, the usual answer to a GET, costs nothing more.
    /// </summary>
    private async Task ConfirmMissingKeyAsync(AmazonS3Exception notFound, CancellationToken cancellationToken)
    {
        var seenAt = Volatile.Read(ref _bucketSeenAt);
        if (S3Faults.NamesMissingKey(notFound)
            || (seenAt != 0 && Stopwatch.GetElapsedTime(seenAt) < s_bucketConfirmation))
        {
            return;
        }

        if (!await BucketExistsAsync(cancellationToken))
        {
            throw S3Faults.MissingBucket(Name, notFound);
        }
    }

    private void ApplyEncryption(PutObjectRequest request)
    {
        if (Settings.ServerSideEncryption is { } encryption)
        {
            request.ServerSideEncryptionMethod = new ServerSideEncryptionMethod(encryption);
        }
    }
}
