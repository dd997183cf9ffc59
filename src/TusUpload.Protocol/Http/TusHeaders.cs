namespace TusUpload.Protocol.Http;

/// <summary>Header names and fixed values of tus 1.0.0.</summary>
public static class TusHeaders
{
    public const string TusResumable = "Tus-Resumable";
    public const string TusVersion = "Tus-Version";
    public const string TusExtension = "Tus-Extension";
    public const string TusMaxSize = "Tus-Max-Size";
    public const string TusChecksumAlgorithm = "Tus-Checksum-Algorithm";
    public const string UploadOffset = "Upload-Offset";
    public const string UploadLength = "Upload-Length";
    public const string UploadDeferLength = "Upload-Defer-Length";
    public const string UploadMetadata = "Upload-Metadata";
    public const string UploadConcat = "Upload-Concat";
    public const string UploadExpires = "Upload-Expires";
    public const string UploadChecksum = "Upload-Checksum";
    public const string UploadProcessingState = "Upload-Processing-State";
    public const string MethodOverride = "X-HTTP-Method-Override";
    public const string IdempotencyKey = "Idempotency-Key";

    public const string Version = "1.0.0";
    public const string OffsetOctetStream = "application/offset+octet-stream";

    /// <summary>Request headers a browser may send cross-origin.</summary>
    public const string CorsAllowHeaders =
        "Authorization, Content-Type, Origin, X-Requested-With, X-Request-ID, X-HTTP-Method-Override, "
        + "Tus-Resumable, Upload-Length, Upload-Offset, Upload-Defer-Length, Upload-Metadata, Upload-Concat, "
        + "Upload-Checksum, Idempotency-Key";

    public const string CorsAllowMethods = "POST, GET, HEAD, PATCH, DELETE, OPTIONS";

    /// <summary>Response headers a browser script may read.</summary>
    public const string CorsExposeHeaders =
        "Location, Upload-Offset, Upload-Length, Upload-Metadata, Upload-Defer-Length, Upload-Concat, "
        + "Upload-Expires, Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm, "
        + "Upload-Processing-State, Content-Range, Accept-Ranges, ETag";
}
