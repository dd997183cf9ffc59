using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using TusUpload.Protocol.Body;
using TusUpload.Protocol.Completion;
using TusUpload.Protocol.Http;
using TusUpload.Protocol.Parsing;
using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Handlers;

/// <summary>
/// "The Server SHOULD accept PATCH requests against any upload URL and apply the bytes contained in the message
/// at the given offset specified by the Upload-Offset header."
/// </summary>
public sealed class PatchHandler(
    UploadWriteAccess access,
    IUploadStore store,
    ChunkReceiver receiver,
    UploadCompletion completion,
    IOptions<TusOptions> options)
{
    public async Task HandleAsync(HttpContext context, string uploadId)
    {
        var request = context.Request;
        var cancellationToken = context.RequestAborted;

        RequestHeaders.RequireOffsetOctetStream(request);
        var offset = RequestHeaders.Number(request, TusHeaders.UploadOffset)
            ?? throw TusRejection.BadRequest("Upload-Offset is required.");
        var declaredLength = RequestHeaders.Number(request, TusHeaders.UploadLength);
        var (checksum, inTrailer) = ChecksumOf(request);

        var hasBody = RequestHeaders.HasBody(context);
        var durable = await access.LoadAsync(uploadId, cancellationToken);
        if (hasBody && durable.IsComplete && request.ContentLength is null)
        {
            // A retried final PATCH may come chunked with nothing in it (P6); only reading the body tells that apart
            // from one that would run past the length.
            var empty = await receiver.IsEmptyAsync(context, uploadId);
            if (empty is null)
            {
                // Silent for Tus:IdleTimeout, as a body that stops half-way: the connection ends without an answer.
                var idle = new ChunkResult(ChunkEnd.Idle, durable);
                await BodyAnswers.AnswerAsync(context, idle, StatusCodes.Status204NoContent);
                return;
            }

            hasBody = !empty.Value;
        }

        RequireAcceptable(durable, offset, hasBody, request.ContentLength);
        if (!hasBody)
        {
            RequireEmptyBodyChecksum(checksum);
        }

        await using var uploadLock = await access.AcquireAsync(uploadId, cancellationToken);
        var upload = await access.LoadAsync(uploadId, cancellationToken);
        RequireWritable(upload, offset);

        // A body announced longer than a new length is refused here, before it is read and with nothing stored.
        var newLength = LengthToDeclare(upload, declaredLength);
        var declared = newLength is { } length ? upload with { Length = length } : upload;
        var remaining = Remaining(declared, options.Value.MaxSize);
        RequireFits(request.ContentLength, remaining, declared);

        if (!hasBody)
        {
            // Nothing can be refused after this point, so the length is stored at once.
            if (newLength is { } emptyLength)
            {
                upload = await store.DeclareLengthAsync(uploadId, emptyLength, cancellationToken);
            }

            await AnswerEmptyAsync(context, upload);
            return;
        }

        // The length goes to the store with the chunk and is stored by its commit only: a body refused while it is
        // read (overrun, checksum, trailer) is discarded, and the upload's length stays undeclared with it.
        var result = await receiver.ReceiveAsync(
            context,
            new ChunkRequest(upload, uploadLock, remaining, checksum, inTrailer, newLength));
        var stored = await completion.AfterCommitAsync(upload, result.Upload);

        await BodyAnswers.AnswerAsync(context, result with { Upload = stored }, StatusCodes.Status204NoContent);
    }

    internal static (ChecksumHeader? Checksum, bool InTrailer) ChecksumOf(HttpRequest request)
    {
        var checksum = RequestHeaders.Checksum(request);
        var inTrailer = RequestHeaders.AnnouncesChecksumTrailer(request);
        if (checksum is not null && inTrailer)
        {
            throw TusRejection.BadRequest(ChunkReceiver.ChecksumTwiceReason);
        }

        return (checksum, inTrailer);
    }

    /// <summary>Bytes the upload may still take: up to its length, or up to the size limit while deferred.</summary>
    internal static long Remaining(UploadInfo upload, long maxSize)
    {
        if (upload.Length is { } length)
        {
            return length - upload.Offset;
        }

        return (maxSize > 0 ? maxSize : long.MaxValue) - upload.Offset;
    }

    /// <summary>P5: "Content-Length above the remaining length → 413 before reading".</summary>
    internal static void RequireFits(long? contentLength, long remaining, UploadInfo upload)
    {
        if (contentLength > remaining)
        {
            var reason = upload.Length is null
                ? "The body would grow the upload past the maximum size."
                : "The body runs past Upload-Length.";
            throw new TusRejection(413, reason);
        }
    }

    /// <summary>
    /// P8: refuses from the durable state read without the lock (as HEAD reads it), before the current writer is
    /// asked to hand over, so a request that would be refused anyway cannot cut off a healthy upload. The checks
    /// run again under the lock, where the bytes the previous writer committed on handing over count.
    /// </summary>
    private static void RequireAcceptable(UploadInfo durable, long offset, bool hasBody, long? contentLength)
    {
        RequireWritable(durable, offset);

        if (durable.Length is not null)
        {
            RequireFits(contentLength, Remaining(durable, 0), durable);
        }

        if (durable.IsComplete && hasBody)
        {
            throw new TusRejection(413, "The body runs past Upload-Length.");
        }
    }

    private static void RequireWritable(UploadInfo upload, long offset)
    {
        if (upload.IsExpired(DateTimeOffset.UtcNow))
        {
            throw new TusRejection(410, "Upload expired.");
        }

        // "The Server MUST respond with the 403 Forbidden status to PATCH requests against a final upload URL."
        if (upload.Concat.Kind == UploadConcatKind.Final)
        {
            throw new TusRejection(403, "A final upload cannot be patched.");
        }

        // "If the offsets do not match, the Server MUST respond with the 409 Conflict status without modifying
        // the upload resource."
        if (offset != upload.Offset)
        {
            throw new TusRejection(409, $"Upload-Offset {offset} does not match the upload's offset {upload.Offset}.");
        }
    }

    /// <summary>K3: a checksum sent with an empty body covers zero bytes; any other digest is a mismatch.</summary>
    private static void RequireEmptyBodyChecksum(ChecksumHeader? checksum)
    {
        if (checksum is null)
        {
            return;
        }

        using var empty = ChunkChecksum.ForHeader(checksum);
        if (!empty.Matches(checksum))
        {
            throw new TusRejection(460, "Upload-Checksum does not match the body; the chunk was discarded.");
        }
    }

    /// <summary>
    /// C7: a deferred length arrives in a later PATCH; a known length may only be repeated. Returns the length to
    /// declare: null when the request declares none or repeats the known one.
    /// </summary>
    private long? LengthToDeclare(UploadInfo upload, long? declaredLength)
    {
        if (declaredLength is not { } length)
        {
            return null;
        }

        if (upload.Length is { } known)
        {
            return known == length
                ? null
                : throw TusRejection.BadRequest("Upload-Length differs from the upload's length.");
        }

        if (length < upload.Offset)
        {
            throw TusRejection.BadRequest("Upload-Length is below the upload's offset.");
        }

        if (options.Value.MaxSize > 0 && length > options.Value.MaxSize)
        {
            throw new TusRejection(413, "Upload-Length exceeds the maximum size.");
        }

        return length;
    }

    /// <summary>P6: an empty PATCH at the right offset (e.g. a retried final one) re-attempts completion.</summary>
    private async Task AnswerEmptyAsync(HttpContext context, UploadInfo upload)
    {
        using var timeout = new CancellationTokenSource(options.Value.CommitTimeout);
        upload = await completion.RecordOrRefuseAsync(upload, timeout.Token);

        TusResponses.SetOffset(context.Response, upload.Offset);
        TusResponses.SetExpires(context.Response, upload);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }
}
