using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TusUpload.Protocol.Body;
using TusUpload.Protocol.Completion;
using TusUpload.Protocol.Diagnostics;
using TusUpload.Protocol.Http;
using TusUpload.Protocol.Lifecycle;
using TusUpload.Protocol.Parsing;
using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Handlers;

/// <summary>
/// "The Client MUST send a POST request against a known upload creation URL to request a new upload resource."
/// Covers creation, creation-with-upload, creation-defer-length and the creation of partial and final uploads.
/// </summary>
public sealed partial class CreationHandler(
    UploadWriteAccess access,
    IUploadStore store,
    IUploadLifecycle lifecycle,
    UploadStatusReader statuses,
    ChunkReceiver receiver,
    UploadCompletion completion,
    UploadRemoval removal,
    UploadUrls urls,
    TusMetrics metrics,
    IOptions<TusOptions> options,
    ILogger<CreationHandler> logger)
{
    private readonly TusOptions _options = options.Value;

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var cancellationToken = context.RequestAborted;

        var metadata = MetadataOf(request);
        if (!UploadConcatHeader.TryParse(
                RequestHeaders.Single(request, TusHeaders.UploadConcat),
                urls.Collection(context),
                _options.MaxConcatParts,
                out var concat,
                out var concatError))
        {
            throw TusRejection.BadRequest(concatError!);
        }

        if (concat.Kind == UploadConcatKind.Final)
        {
            await CreateFinalAsync(context, concat, metadata, cancellationToken);
            return;
        }

        var length = LengthOf(request);
        var hasBody = RequestHeaders.HasBody(context);
        var (checksum, inTrailer) = hasBody ? PatchHandler.ChecksumOf(request) : (null, false);
        if (hasBody)
        {
            RequestHeaders.RequireOffsetOctetStream(request);
        }

        var now = DateTimeOffset.UtcNow;
        var upload = new UploadInfo
        {
            Id = UploadIds.NewId(),
            Length = length,
            Metadata = metadata,
            Concat = concat,
            CreatedAt = now,
            ExpiresAt = _options.ExpirationEnabled ? now + _options.Expiry : null,
        };
        var remaining = PatchHandler.Remaining(upload, _options.MaxSize);
        PatchHandler.RequireFits(request.ContentLength, remaining, upload);

        await using var uploadLock = await access.AcquireAsync(upload.Id, cancellationToken);
        RequestUpload.Assigned(context, upload.Id);
        await store.CreateAsync(upload, cancellationToken);
        try
        {
            await RegisterOrDiscardAsync(upload, cancellationToken);
            context.Response.Headers.Location = urls.Location(context, upload.Id);

            if (!hasBody)
            {
                upload = await completion.AfterCommitAsync(upload, upload);
                TusResponses.SetOffset(context.Response, upload.Offset);
                TusResponses.SetExpires(context.Response, upload);
                context.Response.StatusCode = StatusCodes.Status201Created;
                return;
            }

            var result = await receiver.ReceiveAsync(
                context,
                new ChunkRequest(upload, uploadLock, remaining, checksum, inTrailer));
            if (EndsUnanswered(context, result.End))
            {
                // The 201 with the Location is the only way a client learns the upload's URL, and this request ends
                // without any answer: nobody can resume the upload, so it goes now instead of at its expiry.
                await removal.AbandonAsync(upload.Id);
                await BodyAnswers.AnswerAsync(context, result, StatusCodes.Status201Created);
                return;
            }

            var stored = await completion.AfterCommitAsync(upload, result.Upload);

            await BodyAnswers.AnswerAsync(context, result with { Upload = stored }, StatusCodes.Status201Created);
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted)
        {
            // The client went away before the body was read (while the upload was registered or its chunk opened):
            // the same as a body cut off, nobody received the Location.
            await removal.AbandonAsync(upload.Id);
            throw;
        }
    }

    /// <summary>
    /// True when the body ended in a way that is answered by aborting the connection (client gone, or silent for
    /// <see cref="TusOptions.IdleTimeout"/>) and nothing of the response went out, so the URL was certainly never
    /// sent. A shutdown's 503 and a malformed body's 400 carry the Location, and a hand-over means another request
    /// named the upload, so someone may know it: those uploads stay.
    /// </summary>
    private static bool EndsUnanswered(HttpContext context, ChunkEnd end) =>
        (end is ChunkEnd.ClientGone or ChunkEnd.Idle) && !context.Response.HasStarted;

    private async Task CreateAsync(UploadInfo upload, CancellationToken cancellationToken)
    {
        await store.CreateAsync(upload, cancellationToken);

        await RegisterAsync(upload, cancellationToken);
    }

    /// <summary>
    /// Registers a new upload with a random id. One that cannot be registered is refused with a 503 that carries no
    /// URL, so no client can ever name it again: its data goes now rather than at its expiry.
    /// </summary>
    private async Task RegisterOrDiscardAsync(UploadInfo upload, CancellationToken cancellationToken)
    {
        try
        {
            await RegisterAsync(upload, cancellationToken);
        }
        catch (TusRejection)
        {
            await removal.DiscardUnregisteredAsync(upload.Id);
            throw;
        }
    }

    /// <summary>Counts and logs the upload the store just created, and registers it with the lifecycle.</summary>
    private async Task RegisterAsync(UploadInfo upload, CancellationToken cancellationToken)
    {
        metrics.UploadCreated();
        TusLog.Created(logger, upload.Id, upload.Length, upload.Concat.Kind.ToString());
        try
        {
            await metrics.TimeLifecycleAsync("created", () => lifecycle.CreatedAsync(upload, cancellationToken));
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The 503 carries no URL. An ordinary upload's data is removed by the caller; a final's record stays,
            // since the retried POST names the same final and carries on with it.
            TusLog.NotificationFailed(logger, exception, "created", upload.Id);
            throw new TusRejection(503, "The upload could not be registered; retry.") { RetryAfterSeconds = 1 };
        }
    }

    private string? MetadataOf(HttpRequest request)
    {
        var header = RequestHeaders.Single(request, TusHeaders.UploadMetadata);
        if (header is null)
        {
            return null;
        }

        if (header.Length > _options.MaxMetadataBytes)
        {
            throw TusRejection.BadRequest($"Upload-Metadata is longer than {_options.MaxMetadataBytes} bytes.");
        }

        if (!UploadMetadata.TryParse(header, out _, out var error))
        {
            throw TusRejection.BadRequest(error!);
        }

        return header;
    }

    /// <summary>
    /// C2: "The Client MUST include either Upload-Length or Upload-Defer-Length"; C3: above the maximum → 413.
    /// Returns null for a deferred length.
    /// </summary>
    private long? LengthOf(HttpRequest request)
    {
        var length = RequestHeaders.Number(request, TusHeaders.UploadLength);
        var defer = RequestHeaders.Single(request, TusHeaders.UploadDeferLength);

        if (defer is not null && defer != "1")
        {
            throw TusRejection.BadRequest("Upload-Defer-Length must be 1.");
        }

        if ((length is null) == (defer is null))
        {
            throw TusRejection.BadRequest("Send exactly one of Upload-Length and Upload-Defer-Length: 1.");
        }

        if (length > _options.MaxSize && _options.MaxSize > 0)
        {
            throw new TusRejection(413, "Upload-Length exceeds the maximum size.");
        }

        return length;
    }
}
