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

    /// <summary>
    /// Stored bytes were found lost (overwritten after they were recorded), and the store set the upload back to the
    /// offset before them: nothing is wrong with the request, whose retry finds that offset and sends the bytes again
    /// (503). The message says from which offset.
    /// </summary>
    Rewound,
}
