namespace TusUpload.Protocol.Storage;

/// <summary>How a store must treat the bytes of one PATCH or POST body.</summary>
/// <param name="AllOrNothing">
/// True when the chunk carries a checksum: no byte of it may become durable before
/// <see cref="IChunkWriter.CommitAsync"/>. When false the store may checkpoint received bytes durably while the body
/// is still arriving.
/// </param>
/// <param name="MaxBytes">The most bytes this chunk may hold (remaining length or size limit).</param>
/// <param name="DeclaredLength">
/// The length the request declares for an upload whose length is deferred, or null. The writer holds the chunk to it
/// as if it were stored, but only <see cref="IChunkWriter.CommitAsync"/> stores it (also when the chunk brought no
/// byte), so a chunk that is discarded leaves the length undeclared. Checkpoints do not store it.
/// </param>
public sealed record ChunkOptions(bool AllOrNothing, long MaxBytes, long? DeclaredLength = null);
