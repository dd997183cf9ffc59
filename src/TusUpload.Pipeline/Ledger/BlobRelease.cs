namespace TusUpload.Pipeline.Ledger;

/// <summary>The blob a terminated upload pointed at and its count after the release (0: row deleted).</summary>
public sealed record BlobRelease(string Sha256, long ReferenceCount);
