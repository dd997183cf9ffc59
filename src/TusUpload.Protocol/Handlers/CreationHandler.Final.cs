using Microsoft.AspNetCore.Http;
using TusUpload.Protocol.Http;
using TusUpload.Protocol.Parsing;
using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Handlers;

public sealed partial class CreationHandler
{
    /// <summary>
    /// "The Server MUST respond with the 201 Created status to a final upload creation". The final's id is
    /// derived from the Idempotency-Key and the ordered partial list, so a retried POST finds the same final
    /// and its completion is recorded once.
    /// </summary>
    private async Task CreateFinalAsync(
        HttpContext context,
        UploadConcat concat,
        string? metadata,
        CancellationToken cancellationToken)
    {
        var request = context.Request;
        var lengthHeader = request.Headers.ContainsKey(TusHeaders.UploadLength) ? TusHeaders.UploadLength
            : request.Headers.ContainsKey(TusHeaders.UploadDeferLength) ? TusHeaders.UploadDeferLength
            : null;
        if (lengthHeader is not null)
        {
            throw TusRejection.BadRequest($"A final upload takes its length from its partials; omit {lengthHeader}.");
        }

        if (RequestHeaders.HasBody(context))
        {
            throw TusRejection.BadRequest("A final upload takes no body.");
        }

        var finalId = UploadIds.FinalId(IdempotencyKeyOf(request), concat.PartialIds, metadata);
        RequestUpload.Assigned(context, finalId);

        await using var uploadLock = await access.AcquireAsync(finalId, cancellationToken);
        var final = await store.GetAsync(finalId, cancellationToken);
        if (final is null)
        {
            await RefuseReuseAsync(finalId, cancellationToken);
        }

        if (final is null || !final.IsComplete)
        {
            // Checked before locking as well: a partial that a PATCH is still writing is refused at once,
            // without asking that writer to hand over its lock.
            RequireBoundedCopies(await LoadPartialsAsync(concat.PartialIds, cancellationToken));

            // Held until the final is complete, so a DELETE of a partial either came first (and the partial is
            // missing below) or waits for the copy. Taken after the final's lock, never before: nothing that holds
            // a partial's lock waits for a final's. The final creation ignores release requests, as a copy cut
            // short would leave a half-written final.
            await using var partialLocks = await access.AcquireAllAsync(concat.PartialIds, cancellationToken);
            var partials = await LoadPartialsAsync(concat.PartialIds, cancellationToken);

            final ??= await CreateFinalRecordAsync(finalId, concat, metadata, partials, cancellationToken);
            final = await store.ConcatenateAsync(final, partials, cancellationToken);
        }

        using var timeout = new CancellationTokenSource(_options.CommitTimeout);
        await completion.RecordOrRefuseAsync(final, timeout.Token);

        context.Response.Headers.Location = urls.Location(context, finalId);

        // As for every creation: the final is complete once created, so its offset is its length.
        TusResponses.SetOffset(context.Response, final.Offset);
        context.Response.StatusCode = StatusCodes.Status201Created;
    }

    /// <summary>
    /// The same request always names the same final, so a final that was terminated (or expired) would be made
    /// again under an id whose lifecycle has ended: complete in the store, never processed, a download that
    /// answers "still being processed" for ever. Refused instead; new partials, or another Idempotency-Key while
    /// the partials last (they expire before their final), make a new final.
    /// </summary>
    private async Task RefuseReuseAsync(string finalId, CancellationToken cancellationToken)
    {
        if (await statuses.GetAsync(finalId, cancellationToken) is { } earlier)
        {
            throw new TusRejection(
                409,
                $"Final upload {finalId} existed and is {earlier.State}; upload the partials again, or send another "
                + "Idempotency-Key while they last.");
        }
    }

    /// <summary>
    /// tus lets a final list a partial more than once, and each listing copies its bytes again: one small partial
    /// listed Tus:MaxConcatParts times would have the server write that many times what the client sent, per POST.
    /// The final may be at most Tus:MaxConcatCopies times as long as its distinct partials together, refused before
    /// anything is created or copied. A complete partial's length never changes, so once is enough.
    /// </summary>
    private void RequireBoundedCopies(IReadOnlyList<UploadInfo> partials)
    {
        var length = 0L;
        var distinctLength = 0L;
        var distinct = new HashSet<string>(partials.Count, StringComparer.Ordinal);
        foreach (var partial in partials)
        {
            var partialLength = partial.Length!.Value;
            length = checked(length + partialLength);
            if (distinct.Add(partial.Id))
            {
                distinctLength += partialLength;
            }
        }

        if (length > (Int128)distinctLength * _options.MaxConcatCopies)
        {
            throw TusRejection.BadRequest(
                $"A final upload may be at most {_options.MaxConcatCopies} times as long as its distinct partials "
                + $"together ({distinctLength} bytes); this list makes it {length} bytes.");
        }
    }

    private async Task<UploadInfo> CreateFinalRecordAsync(
        string finalId,
        UploadConcat concat,
        string? metadata,
        IReadOnlyList<UploadInfo> partials,
        CancellationToken cancellationToken)
    {
        var length = 0L;
        foreach (var partial in partials)
        {
            length = checked(length + partial.Length!.Value);
        }

        if (_options.MaxSize > 0 && length > _options.MaxSize)
        {
            throw new TusRejection(413, "The partial uploads together exceed the maximum size.");
        }

        var now = DateTimeOffset.UtcNow;
        var final = new UploadInfo
        {
            Id = finalId,
            Length = length,
            Metadata = metadata,
            Concat = concat,
            CreatedAt = now,

            // A final that a crash left unfilled is swept like any unfinished upload.
            ExpiresAt = _options.ExpirationEnabled ? now + _options.Expiry : null,
        };

        try
        {
            await CreateAsync(final, cancellationToken);
            return final;
        }
        catch (UploadStoreException exception) when (exception.Error == UploadStoreError.AlreadyExists)
        {
            // Another instance created it between our read and our create: continue with its record.
            var existing = await store.GetAsync(finalId, cancellationToken);
            if (existing is null)
            {
                throw;
            }

            return existing;
        }
    }

    /// <summary>X4: every listed upload must exist, be a partial, be unexpired and be complete.</summary>
    private async Task<IReadOnlyList<UploadInfo>> LoadPartialsAsync(
        IReadOnlyList<string> partialIds,
        CancellationToken cancellationToken)
    {
        var partials = new List<UploadInfo>(partialIds.Count);
        foreach (var partialId in partialIds)
        {
            var partial = await store.GetAsync(partialId, cancellationToken)
                ?? throw TusRejection.BadRequest($"Partial upload {partialId} does not exist.");

            if (partial.Concat.Kind != UploadConcatKind.Partial)
            {
                throw TusRejection.BadRequest($"Upload {partialId} is not a partial upload.");
            }

            // An expired partial is refused before the sweeper removes it, as it is after: the same 400 status.
            if (partial.IsExpired(DateTimeOffset.UtcNow))
            {
                throw TusRejection.BadRequest($"Partial upload {partialId} expired.");
            }

            if (!partial.IsComplete)
            {
                throw TusRejection.BadRequest($"Partial upload {partialId} is not complete.");
            }

            partials.Add(partial);
        }

        return partials;
    }

    private static string? IdempotencyKeyOf(HttpRequest request)
    {
        var key = RequestHeaders.Single(request, TusHeaders.IdempotencyKey);
        if (key is null)
        {
            return null;
        }

        if (key.Length is 0 or > 255 || key.AsSpan().ContainsAnyExceptInRange('!', '~'))
        {
            throw TusRejection.BadRequest("Idempotency-Key must be 1 to 255 visible ASCII characters.");
        }

        return key;
    }
}
