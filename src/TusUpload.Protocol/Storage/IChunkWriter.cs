namespace TusUpload.Protocol.Storage;

/// <summary>
/// Receives the bytes of one request body for one upload. Disposing without <see cref="CommitAsync"/> discards
/// every byte that was not checkpointed yet (with all-or-nothing chunks, every byte of the chunk).
/// </summary>
public interface IChunkWriter : IAsyncDisposable
{
    /// <summary>The upload's durable offset when the chunk began.</summary>
    long StartOffset { get; }

    /// <summary>Bytes accepted by <see cref="WriteAsync"/> so far, durable or not.</summary>
    long BytesWritten { get; }

    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Makes every written byte durable and returns the upload's new state.</summary>
    Task<UploadInfo> CommitAsync(CancellationToken cancellationToken);
}
