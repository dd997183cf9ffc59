namespace TusUpload.Store.S3;

/// <summary>A part whose upload is running; its buffer returns to the pool when the upload ends.</summary>
internal sealed record PendingPart(int Number, long Size, PartBuffer Buffer, Task<string> Upload);
