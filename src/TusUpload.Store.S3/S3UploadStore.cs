using System.Runtime.CompilerServices;
using Amazon.S3;
using Microsoft.Extensions.Logging;
using TusUpload.Protocol.Storage;

namespace TusUpload.Store.S3;

/// <summary>
/// Keeps uploads in S3 (MinIO) as multipart uploads with equal-size parts, so any server instance can continue
/// any upload: everything needed to resume lives in the upload's info object, never in this process.
/// </summary>
public sealed partial class S3UploadStore(S3Bucket bucket, ILogger<S3UploadStore> logger) : IUploadStore
{
    private readonly S3SettledUploads _settled = new();

    public async Task CreateAsync(UploadInfo upload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        var settings = bucket.Settings;
        if (upload.Length is { } length && length > settings.PartSize * settings.MaxParts)
        {
            throw TooLarge(upload.Id, settings.PartSize * settings.MaxParts);
        }

        var state = new S3UploadState
        {
            Id = upload.Id,
            Length = upload.Length,
            Metadata = upload.Metadata,
            ConcatKind = upload.Concat.Kind,
            PartialIds = [.. upload.Concat.PartialIds],
            CreatedAt = upload.CreatedAt,
            ExpiresAt = upload.ExpiresAt,
            CompletionRecorded = upload.CompletionRecorded,
            PartSize = settings.PartSize,
            MaxParts = settings.MaxParts,
        };
        // One conditional PUT (If-None-Match) both checks that the id is free and creates the upload. The multipart
        // upload is started only when the first full part is cut: most uploads fit in one part and become one
        // PutObject, so starting it here would cost two requests (start and complete) that are mostly wasted.
        await bucket.WriteStateAsync(state, createOnly: true, cancellationToken);
        S3StoreLog.UploadCreated(logger, upload.Id, state.PartSize);

        if (state.Length == 0 && state.ConcatKind != UploadConcatKind.Final)
        {
            // "The Server MUST acknowledge a successful upload creation": a 0-byte upload is complete at once.
            await using var writer = await S3ChunkWriter.OpenAsync(
                this,
                bucket,
                state,
                new ChunkOptions(false, 0),
                logger,
                cancellationToken);
            await writer.CommitAsync(cancellationToken);
        }
    }

    public async Task<UploadInfo?> GetAsync(string uploadId, CancellationToken cancellationToken)
    {
        var state = await bucket.ReadStateAsync(uploadId, cancellationToken);
        return state?.ToUploadInfo();
    }

    public async Task<UploadInfo> DeclareLengthAsync(string uploadId, long length, CancellationToken cancellationToken)
    {
        var state = await RequireStateAsync(uploadId, cancellationToken);
        RequireDeclarable(state, length);

        state.Length = length;
        await bucket.WriteStateAsync(state, createOnly: false, cancellationToken);
        if (state.Offset == length)
        {
            // The bytes are all here already (e.g. a deferred upload whose last PATCH declared the length):
            // the incomplete part becomes the final part.
            var noMoreBytes = new ChunkOptions(AllOrNothing: false, MaxBytes: 0);
            await using var writer = await OpenChunkAsync(state.ToUploadInfo(), noMoreBytes, cancellationToken);
            return await writer.CommitAsync(cancellationToken);
        }

        return state.ToUploadInfo();
    }

    public async Task<IChunkWriter> OpenChunkAsync(
        UploadInfo upload,
        ChunkOptions options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(options);

        // The caller read the upload under its lock just now (or created it), so this process's newest copy is
        // the current one; it is used only if it shows what the caller was handed.
        var state = bucket.States.Recall(upload.Id) is { } known
            && known.Offset == upload.Offset && known.Length == upload.Length && !known.Assembled
            ? known
            : await RequireStateAsync(upload.Id, cancellationToken);
        if (state.Assembled)
        {
            throw new UploadStoreException(UploadStoreError.Unknown, $"Upload {upload.Id} is complete already.");
        }

        if (options.DeclaredLength is { } length)
        {
            RequireDeclarable(state, length);
        }

        return await S3ChunkWriter.OpenAsync(this, bucket, state, options, logger, cancellationToken);
    }

    /// <summary>
    /// Assembles the object if the info records every byte but a crash (or an S3 failure) came between that record
    /// and the assembly. After the completing commit this process's copy shows it assembled, so the normal path
    /// sends nothing here.
    /// </summary>
    public async Task<UploadInfo> FinishAsync(UploadInfo upload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        var state = bucket.States.Recall(upload.Id) is { } known && known.Length == known.Offset
            ? known
            : await RequireStateAsync(upload.Id, cancellationToken);
        await AssembleAsync(state, cancellationToken);
        return state.ToUploadInfo();
    }

    public async Task<UploadInfo> MarkCompletionRecordedAsync(string uploadId, CancellationToken cancellationToken)
    {
        // Called under the lock right after the completing commit (or a read under the lock): the newest copy this
        // process holds is the current one when it shows the upload complete.
        var state = bucket.States.Recall(uploadId) is { } known && known.Length == known.Offset
            ? known
            : await RequireStateAsync(uploadId, cancellationToken);
        await AssembleAsync(state, cancellationToken);
        if (!state.CompletionRecorded)
        {
            state.CompletionRecorded = true;
            await bucket.WriteStateAsync(state, createOnly: false, cancellationToken);
        }

        return state.ToUploadInfo();
    }

    public async Task<Stream> OpenReadAsync(
        UploadInfo upload,
        long start,
        long count,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);

        // Assembly is final: once this process saw the object assembled, only its removal can change that, and a
        // removed object answers "not found" below anyway.
        var state = bucket.States.Recall(upload.Id) is { Assembled: true } known
            ? known
            : await RequireStateAsync(upload.Id, cancellationToken);
        await AssembleAsync(state, cancellationToken);
        try
        {
            var key = bucket.Keys.Content(upload.Id);
            return await bucket.OpenRangeAsync(upload.Id, key, start, count, cancellationToken);
        }
        catch (UploadStoreException exception) when (exception.InnerException is AmazonS3Exception missing
            && S3Faults.IsNotFound(missing))
        {
            throw new UploadStoreException(
                UploadStoreError.NotFound,
                $"The data of upload {upload.Id} is gone (moved to a blob).",
                exception);
        }
    }

    public async Task DeleteAsync(string uploadId, CancellationToken cancellationToken)
    {
        S3UploadState? state;
        try
        {
            state = await bucket.ReadStateAsync(uploadId, cancellationToken);
        }
        catch (UploadStoreException exception) when (exception.Error == UploadStoreError.Damaged)
        {
            // Its objects go all the same. Known shortcoming: a multipart upload named only in the damaged state
            // cannot be aborted here; its parts stay until the bucket's rule for incomplete uploads removes them.
            S3StoreLog.InfoUnreadable(logger, uploadId, exception);
            state = null;
        }

        if (state?.MultipartUploadId is { } multipartUploadId)
        {
            // Aborting frees every part, recorded or not; expiry sweeping comes here too.
            await bucket.AbortAsync(uploadId, multipartUploadId, cancellationToken);
        }

        await foreach (var key in bucket.ListKeysAsync(bucket.Keys.IncompletePartPrefix(uploadId), cancellationToken))
        {
            await bucket.DeleteObjectAsync(uploadId, key, cancellationToken);
        }

        await bucket.DeleteObjectAsync(uploadId, bucket.Keys.Content(uploadId), cancellationToken);

        // The info object goes last: until then a retried delete still finds the multipart upload to abort.
        await bucket.DeleteObjectAsync(uploadId, bucket.Keys.Info(uploadId), cancellationToken);
        bucket.States.Forget(uploadId);
        S3StoreLog.UploadDeleted(logger, uploadId);
    }

    /// <summary>
    /// Every upload in the bucket, except the settled ones this process has already read whose info object has not
    /// changed since (see <see cref="S3SettledUploads"/>): a sweep has nothing to do with those, and reading them
    /// again at every sweep cost one GET per upload ever kept.
    /// </summary>
    public async IAsyncEnumerable<UploadInfo> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var listing = _settled.StartListing();
        await foreach (var listed in bucket.ListObjectsAsync(bucket.Keys.Prefix, cancellationToken))
        {
            if (bucket.Keys.UploadIdOfInfo(listed.Key) is not { } uploadId)
            {
                continue;
            }

            if (_settled.IsSettledAt(uploadId, listed.ETag))
            {
                listing.Settled(uploadId, listed.ETag);
                continue;
            }

            S3UploadState? state;
            string? etag;
            try
            {
                (state, etag) = await bucket.ReadStateAndETagAsync(uploadId, cancellationToken);
            }
            catch (UploadStoreException exception) when (exception.Error == UploadStoreError.Damaged)
            {
                // One damaged info object must not stop the sweep over every other upload.
                S3StoreLog.InfoUnreadable(logger, uploadId, exception);
                continue;
            }

            if (state is null)
            {
                continue;
            }

            if (S3SettledUploads.IsSettled(state))
            {
                listing.Settled(uploadId, etag);
            }

            yield return state.ToUploadInfo();
        }

        listing.Complete();
    }

    /// <summary>
    /// Completes the multipart upload of an upload whose info records every byte. Safe to repeat: after a crash
    /// between completing and recording it, the multipart upload is gone and the object is there.
    /// </summary>
    internal async Task AssembleAsync(S3UploadState state, CancellationToken cancellationToken)
    {
        if (state.Assembled || state.Length is not { } length || state.Offset != length || state.IncompleteSize > 0)
        {
            return;
        }

        if (state.MultipartUploadId is null)
        {
            // No part was ever cut, so nothing is recorded but the length: a 0-byte upload whose info was written
            // complete (a declared length of 0) before its empty object was. The empty object is all it needs.
            using var empty = new PartBuffer(0);
            var etag = await bucket.PutObjectAsync(state.Id, bucket.Keys.Content(state.Id), empty, cancellationToken);
            state.Parts = [new S3Part(1, etag, 0)];
            state.Assembled = true;
            state.ContentSha256 = empty.Sha256Hex();
            await bucket.WriteStateAsync(state, createOnly: false, cancellationToken);
            return;
        }

        try
        {
            await bucket.CompleteAsync(state, cancellationToken);
        }
        catch (UploadStoreException exception) when (S3Faults.IsPartMismatch(exception)
            && state.ConcatKind != UploadConcatKind.Final)
        {
            // A final upload's parts are copies made inside S3 under its own request, never a client's late PATCH;
            // it cannot be patched either, so setting it back would leave it incomplete for good.
            throw await RewindToIntactPartsAsync(state, exception, cancellationToken);
        }
        catch (UploadStoreException exception) when (exception.Error == UploadStoreError.NotFound)
        {
            var size = await bucket.GetSizeAsync(state.Id, bucket.Keys.Content(state.Id), cancellationToken);
            if (size != length)
            {
                throw;
            }
        }

        state.Assembled = true;
        state.MultipartUploadId = null;
        await bucket.WriteStateAsync(state, createOnly: false, cancellationToken);
        S3StoreLog.UploadAssembled(logger, state.Id, state.Parts.Count);
    }

    /// <summary>
    /// Starts the upload's multipart upload and records its id before any part goes up, so that termination and
    /// expiry, which abort it from the info, can never leave a part behind. Recording it moves no offset, so an
    /// all-or-nothing chunk may do it too.
    /// </summary>
    internal async Task StartMultipartAsync(S3UploadState state, CancellationToken cancellationToken)
    {
        state.MultipartUploadId = await bucket.StartMultipartAsync(state.Id, cancellationToken);
        await bucket.WriteStateAsync(state, createOnly: false, cancellationToken);
        S3StoreLog.MultipartStarted(logger, state.Id);
    }

    private static void RequireDeclarable(S3UploadState state, long length)
    {
        if (length > state.MaxBytes)
        {
            throw TooLarge(state.Id, state.MaxBytes);
        }

        if (length < state.Offset || (state.Length is { } declared && declared != length))
        {
            throw new UploadStoreException(
                UploadStoreError.LimitExceeded,
                $"Upload {state.Id} cannot take length {length}: it holds {state.Offset} bytes or has a length.");
        }
    }

    private async Task<S3UploadState> RequireStateAsync(string uploadId, CancellationToken cancellationToken)
    {
        return await bucket.ReadStateAsync(uploadId, cancellationToken)
            ?? throw new UploadStoreException(UploadStoreError.NotFound, $"Upload {uploadId} does not exist.");
    }

    private static UploadStoreException TooLarge(string uploadId, long maxBytes) => new(
        UploadStoreError.LimitExceeded,
        $"Upload {uploadId} would need more parts than allowed; at most {maxBytes} bytes fit.");
}
