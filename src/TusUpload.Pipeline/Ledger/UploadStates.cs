namespace TusUpload.Pipeline.Ledger;

/// <summary>The lower-case text each <see cref="UploadState"/> is stored and shown as.</summary>
public static class UploadStates
{
    public static string ToText(this UploadState state) => state switch
    {
        UploadState.Created => "created",
        UploadState.Receiving => "receiving",
        UploadState.Received => "received",
        UploadState.Processing => "processing",
        UploadState.Available => "available",
        UploadState.Duplicate => "duplicate",
        UploadState.Quarantined => "quarantined",
        UploadState.Failed => "failed",
        UploadState.Terminated => "terminated",
        UploadState.Expired => "expired",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown upload state."),
    };

    public static UploadState Parse(string text) => text switch
    {
        "created" => UploadState.Created,
        "receiving" => UploadState.Receiving,
        "received" => UploadState.Received,
        "processing" => UploadState.Processing,
        "available" => UploadState.Available,
        "duplicate" => UploadState.Duplicate,
        "quarantined" => UploadState.Quarantined,
        "failed" => UploadState.Failed,
        "terminated" => UploadState.Terminated,
        "expired" => UploadState.Expired,
        _ => throw new FormatException($"'{text}' is not an upload state."),
    };

    /// <summary>States whose content may be served: the upload points at a clean blob.</summary>
    public static bool IsDownloadable(this UploadState state) =>
        state is UploadState.Available or UploadState.Duplicate;
}
