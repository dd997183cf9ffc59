using TusUpload.Pipeline.Ledger;

namespace TusUpload.Pipeline.IntegrationTests.Ledger;

/// <summary>A termination waiting inside its ledger transaction until <see cref="Release"/> is completed.</summary>
internal sealed record HeldCommit(string UploadId, Task<BlobRelease?> Termination, TaskCompletionSource Release);
