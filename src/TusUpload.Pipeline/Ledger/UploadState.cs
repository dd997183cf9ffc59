namespace TusUpload.Pipeline.Ledger;

/// <summary>Lifecycle states of an upload in the ledger; names are stored as lower-case text.</summary>
public enum UploadState
{
    Created,
    Receiving,
    Received,
    Processing,
    Available,
    Duplicate,
    Quarantined,
    Failed,
    Terminated,
    Expired,
}
