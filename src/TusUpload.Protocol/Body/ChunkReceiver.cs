using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using TusUpload.Protocol.Diagnostics;
using TusUpload.Protocol.Http;
using TusUpload.Protocol.Parsing;
using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Body;

/// <summary>
/// Streams a PATCH or POST body into the store. Bytes that arrived before the client vanished, went silent,
/// was superseded or the host began stopping are committed; a chunk that carries a checksum is all or nothing.
/// </summary>
public sealed partial class ChunkReceiver(
    IUploadStore store,
    IOptions<TusOptions> options,
    IHostApplicationLifetime lifetime,
    TusMetrics metrics,
    ILogger<ChunkReceiver> logger)
{
    /// <summary>The refusal of a chunk that carries its checksum both as a header and as a trailer (400).</summary>
    public const string ChecksumTwiceReason = "Send Upload-Checksum as a header or as a trailer, not both.";

    private readonly TusOptions _options = options.Value;

    /// <summary>
    /// Lifts Kestrel's body-size and minimum-rate limits for this request; tus sets its own. Every body read goes
    /// through this class and lifts them first: the size limit can no longer be changed once reading started.
    /// </summary>
    private static void LiftKestrelLimits(HttpContext context)
    {
        var size = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (size is { IsReadOnly: false })
        {
            size.MaxRequestBodySize = null;
        }

        var rate = context.Features.Get<IHttpMinRequestBodyDataRateFeature>();
        if (rate is not null)
        {
            rate.MinDataRate = null;
        }
    }

    public async Task<ChunkResult> ReceiveAsync(HttpContext context, ChunkRequest request)
    {
        LiftKestrelLimits(context);

        var trailerPossible = MayCarryChecksumTrailer(context.Request, request);
        var allOrNothing = request.Checksum is not null || trailerPossible;
        var upload = request.Upload;

        await using var writer = await store.OpenChunkAsync(
            upload,
            new ChunkOptions(allOrNothing, request.MaxBytes, request.DeclaredLength),
            context.RequestAborted);

        using var checksum = request.Checksum is { } header ? ChunkChecksum.ForHeader(header)
            : trailerPossible ? ChunkChecksum.ForTrailer()
            : null;

        metrics.BodyStarted();
        ChunkEnd end;
        string? readReason;
        try
        {
            (end, readReason) = await ReadBodyAsync(context, request, writer, checksum);
        }
        finally
        {
            metrics.BodyEnded();
        }

        var (verdict, reason) = end == ChunkEnd.Complete
            ? Verify(context, request, trailerPossible, checksum)
            : (end, readReason);
        LogEnd(upload.Id, verdict, writer.BytesWritten, request.MaxBytes, reason);

        // A declared length is stored by the commit alone, so an accepted body that brought no byte still commits
        // (to store it), and a discarded one leaves the upload's length as undeclared as it found it.
        var keep = allOrNothing ? verdict == ChunkEnd.Complete : verdict != ChunkEnd.ChecksumMismatch;
        var declares = request.DeclaredLength is not null && verdict == ChunkEnd.Complete;
        if (!keep || (writer.BytesWritten == 0 && !declares))
        {
            return new ChunkResult(verdict, upload, reason);
        }

        // Commit even when the request was cancelled: these bytes arrived and the offset must count them.
        using var commitTimeout = new CancellationTokenSource(_options.CommitTimeout);
        var committed = await writer.CommitAsync(commitTimeout.Token);

        metrics.BytesReceived(committed.Offset - upload.Offset);
        TusLog.ChunkStored(logger, upload.Id, committed.Offset - upload.Offset, committed.Offset);
        return new ChunkResult(verdict, committed, reason);
    }

    /// <summary>
    /// A chunked body without an <c>Upload-Checksum</c> header may end with the checksum as a trailer, announced
    /// by <c>Trailer</c> or not (HTTP only says a sender SHOULD announce it). Such a body is all or nothing, so a
    /// trailer that does not match can discard every byte of it. The price: an interrupted chunked body without
    /// any checksum keeps nothing either, and all four algorithms run while it streams.
    /// </summary>
    private static bool MayCarryChecksumTrailer(HttpRequest httpRequest, ChunkRequest request) =>
        request.ChecksumInTrailer || (request.Checksum is null && httpRequest.ContentLength is null);

    private (ChunkEnd End, string? Reason) Verify(
        HttpContext context,
        ChunkRequest request,
        bool trailerPossible,
        ChunkChecksum? checksum)
    {
        if (checksum is null)
        {
            return (ChunkEnd.Complete, null);
        }

        var expected = request.Checksum;
        var trailers = ReadChecksumTrailers(context.Request);
        if (expected is not null && trailers.Count > 0)
        {
            // Announced, this is refused before the body is read; unannounced, only the trailer tells. Either way
            // one of the two checksums would be ignored, and it may be the one that refutes the body.
            return (ChunkEnd.BadTrailer, ChecksumTwiceReason);
        }

        if (trailerPossible)
        {
            if (trailers.Count > 1)
            {
                // Which one the client meant is unknown, and taking either would accept a body the other refutes.
                return (ChunkEnd.BadTrailer, "The Upload-Checksum trailer must appear once.");
            }

            var trailer = trailers.Count == 1 ? trailers[0] ?? string.Empty : null;
            if (trailer is null)
            {
                return request.ChecksumInTrailer
                    ? (ChunkEnd.BadTrailer, "The announced Upload-Checksum trailer is missing.")
                    : (ChunkEnd.Complete, null);
            }

            if (!ChecksumHeader.TryParse(trailer, out expected, out var error))
            {
                return (ChunkEnd.BadTrailer, error);
            }
        }

        if (checksum.Matches(expected!))
        {
            return (ChunkEnd.Complete, null);
        }

        metrics.ChecksumMismatch();
        return (ChunkEnd.ChecksumMismatch, "Upload-Checksum does not match the body; the chunk was discarded.");
    }

    private static StringValues ReadChecksumTrailers(HttpRequest request) =>
        request.SupportsTrailers() && request.CheckTrailersAvailable()
            ? request.GetTrailer(TusHeaders.UploadChecksum)
            : StringValues.Empty;

    private void LogEnd(string uploadId, ChunkEnd end, long bytes, long maxBytes, string? reason)
    {
        switch (end)
        {
            case ChunkEnd.ClientGone:
                TusLog.ClientGone(logger, uploadId, bytes);
                break;
            case ChunkEnd.Malformed:
                TusLog.MalformedBody(logger, uploadId, bytes, reason!);
                break;
            case ChunkEnd.Idle:
                TusLog.IdleTimeout(logger, uploadId, _options.IdleTimeout);
                break;
            case ChunkEnd.HandedOver:
                metrics.HandedOver();
                TusLog.HandedOver(logger, uploadId);
                break;
            case ChunkEnd.ShuttingDown:
                TusLog.ShutdownDuringBody(logger, uploadId, bytes);
                break;
            case ChunkEnd.ChecksumMismatch:
                TusLog.ChecksumMismatch(logger, uploadId, bytes);
                break;
            case ChunkEnd.Overrun:
                TusLog.Overrun(logger, uploadId, maxBytes);
                break;
            default:
                break;
        }
    }
}
