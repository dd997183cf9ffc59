using System.Buffers;
using System.Security.Cryptography;
using TusUpload.ClamAV;
using TusUpload.Pipeline.Ledger;
using TusUpload.Protocol.Storage;

namespace TusUpload.Pipeline.Processing;

// Reading the stored object once: the same pooled buffer feeds SHA-256 and the clamd scan session.
public sealed partial class CompletionProcessor
{
    private static readonly TimeSpan MaxScannerRetryDelay = TimeSpan.FromSeconds(30);

    // A scanner outage is retried inside the delivery for a bounded window, then deferred (requeued without
    // counting against the delivery limit). The upload stays processing throughout; nothing is marked clean.
    private async Task<ContentVerdict> ReadWithScannerRetryAsync(UploadInfo upload, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + _options.ScannerRetryWindow;
        var delay = _options.ScannerRetryDelay;
        while (true)
        {
            try
            {
                return await ReadOnceAsync(upload, cancellationToken);
            }
            catch (ClamdUnavailableException ex)
            {
                var remaining = deadline - DateTimeOffset.UtcNow;
                if (remaining <= TimeSpan.Zero)
                {
                    metrics.Deferred();
                    throw new ProcessingDeferredException($"clamd is unavailable: {ex.Message}", ex);
                }

                var wait = delay < remaining ? delay : remaining;
                logger.ScannerUnavailable(upload.Id, wait.TotalSeconds, ex.Message);
                await Task.Delay(wait, cancellationToken);
                delay = delay * 2 < MaxScannerRetryDelay ? delay * 2 : MaxScannerRetryDelay;
            }
        }
    }

    private async Task<ContentVerdict> ReadOnceAsync(UploadInfo upload, CancellationToken cancellationToken)
    {
        var length = upload.Length ?? 0;
        if (!_scan && upload.ContentSha256 is { } known)
        {
            // The store hashed exactly the bytes it stored, and without a scan nothing else needs them: reading
            // the object back (a full GET from S3) would only repeat that work.
            logger.HashFromStore(upload.Id);
            return new ContentVerdict(known, length, Infected: false, Signature: null, Scanned: false);
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var session = _scan ? scanner.OpenScanSession(upload.Id) : null;
        var buffer = ArrayPool<byte>.Shared.Rent(_options.ReadBufferSize);
        long total = 0;
        try
        {
            await using var content = await store.OpenReadAsync(upload, 0, length, cancellationToken);
            int read;
            while ((read = await content.ReadAsync(buffer.AsMemory(0, _options.ReadBufferSize), cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                if (session is not null)
                {
                    await session.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }

                total += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (total != length)
        {
            throw new InvalidDataException($"Read {total} bytes of upload {upload.Id}, expected {length}.");
        }

        var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (session is null)
        {
            return new ContentVerdict(sha256, total, Infected: false, Signature: null, Scanned: false);
        }

        var verdict = await session.CompleteAsync(cancellationToken);
        return verdict.Outcome switch
        {
            ScanOutcome.Clean => new ContentVerdict(sha256, total, Infected: false, Signature: null),
            ScanOutcome.Infected => new ContentVerdict(sha256, total, Infected: true, verdict.Signature),

            // No verdict is never a clean verdict: treat it like an outage and try again later.
            _ => throw new ClamdUnavailableException($"clamd gave no verdict: {verdict.Reason}"),
        };
    }
}
