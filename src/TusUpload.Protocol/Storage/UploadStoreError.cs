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
}
