using System.Buffers;
using System.Security.Cryptography;
using TusUpload.ClamAV;
using TusUpload.Pipeline.Ledger;
using TusUpload.Protocol.Storage;

namespace TusUpload.Pipeline.Processing;

// Reading the stored object once: the same pooled buffer feeds SHA-256 and the clamd scan session.
public sealed partial class CompletionProcessor
{
    private async Task<ContentVerdict> ReadAsync(UploadInfo upload, CancellationToken cancellationToken)
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
