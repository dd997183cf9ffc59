namespace TusUpload.Pipeline.Ledger;

/// <summary>The state an upload ended in after a worker's transaction, and whether this call changed it.</summary>
public sealed record ProcessingOutcome(UploadState State, bool Changed);
