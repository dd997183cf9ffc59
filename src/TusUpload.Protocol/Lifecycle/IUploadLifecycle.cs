using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Lifecycle;

/// <summary>
/// What the protocol tells the rest of the system about an upload's life. Calls happen under the upload's
/// write lock, after the store made the change durable. Every method must be idempotent: a retried request,
/// a crash between a call and its bookkeeping, or the recovery sweep may repeat a call.
/// </summary>
public interface IUploadLifecycle
{
    Task CreatedAsync(UploadInfo upload, CancellationToken cancellationToken);

    /// <summary>The first bytes of the upload became durable.</summary>
    Task ReceivingAsync(UploadInfo upload, CancellationToken cancellationToken);

    /// <summary>
    /// The upload reached its length. Must durably record exactly one completion however often it is called;
    /// the protocol marks the upload's completion as recorded only after this returns.
    /// </summary>
    Task CompletedAsync(UploadInfo upload, CancellationToken cancellationToken);

    Task TerminatedAsync(string uploadId, CancellationToken cancellationToken);

    Task ExpiredAsync(string uploadId, CancellationToken cancellationToken);

    /// <summary>
    /// The server removes an unfinished upload whose creation was cut off before its answer was sent: no client
    /// knows its URL, so nobody could resume or delete it. Its end is terminated, recorded as the server's doing.
    /// </summary>
    Task AbandonedAsync(string uploadId, CancellationToken cancellationToken);

    /// <summary>Processing state of a complete upload, or null when nothing downstream tracks it.</summary>
    Task<UploadProcessingStatus?> GetStatusAsync(string uploadId, CancellationToken cancellationToken);
}
