namespace TusUpload.Store.S3;

/// <summary>
/// The <c>operation</c> label of the store's S3 metrics: the S3 API name of each request the store sends (not the
/// SDK method's name, so that the labels match S3's own documentation and access logs).
/// </summary>
public static class S3Operation
{
    public const string AbortMultipartUpload = "AbortMultipartUpload";
    public const string CompleteMultipartUpload = "CompleteMultipartUpload";
    public const string CopyObject = "CopyObject";
    public const string CreateBucket = "CreateBucket";
    public const string CreateMultipartUpload = "CreateMultipartUpload";
    public const string DeleteObject = "DeleteObject";
    public const string GetObject = "GetObject";
    public const string HeadObject = "HeadObject";
    public const string ListObjectsV2 = "ListObjectsV2";
    public const string PutObject = "PutObject";
    public const string UploadPart = "UploadPart";
    public const string UploadPartCopy = "UploadPartCopy";
}
