namespace TusUpload.Protocol.Storage;

public enum UploadStoreError
{
    /// <summary>Unclassified; the server answers 500.</summary>
    Unknown,

    /// <summary>The id is already taken (409).</summary>
    AlreadyExists,

    /// <summary>The upload is gone (404).</summary>
    NotFound,

    /// <summary>The backing service is down or timing out: retryable (503).</summary>
    Unavailable,

    /// <summary>The request asks for something the store cannot keep, e.g. too many parts (413).</summary>
    LimitExceeded,

    /// <summary>
    /// The upload's stored state cannot be read: damaged storage, not a passing outage (500). DELETE still frees
    /// what is left of it, so a client or operator can always get rid of it through the protocol.
    /// </summary>
    Damaged,
}
