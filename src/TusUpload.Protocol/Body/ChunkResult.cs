using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Body;

/// <summary>What became of one request body: why reading stopped and the upload's durable state afterwards.</summary>
/// <param name="End">Why reading stopped.</param>
/// <param name="Upload">The upload after the commit, or unchanged when the chunk was discarded.</param>
/// <param name="Reason">A one-line reason for refusals (checksum trailer problems).</param>
public sealed record ChunkResult(ChunkEnd End, UploadInfo Upload, string? Reason = null);
