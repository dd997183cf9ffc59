using Amazon.Runtime;
using Amazon.S3.Model;

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
    public const string HeadBucket = "HeadBucket";
    public const string HeadObject = "HeadObject";
    public const string ListObjectsV2 = "ListObjectsV2";
    public const string ListParts = "ListParts";
    public const string PutObject = "PutObject";
    public const string UploadPart = "UploadPart";
    public const string UploadPartCopy = "UploadPartCopy";

    /// <summary>A request the store does not send itself; one label for all of them keeps the series bounded.</summary>
    public const string Other = "Other";

    /// <summary>The label of an SDK request object, for measurements taken inside the SDK's pipeline.</summary>
    public static string Of(AmazonWebServiceRequest? request) => request switch
    {
        AbortMultipartUploadRequest => AbortMultipartUpload,
        CompleteMultipartUploadRequest => CompleteMultipartUpload,
        CopyObjectRequest => CopyObject,
        PutBucketRequest => CreateBucket,
        InitiateMultipartUploadRequest => CreateMultipartUpload,
        DeleteObjectRequest => DeleteObject,
        GetObjectRequest => GetObject,
        GetObjectMetadataRequest => HeadObject,
        HeadBucketRequest => HeadBucket,
        ListObjectsV2Request => ListObjectsV2,
        ListPartsRequest => ListParts,
        PutObjectRequest => PutObject,
        UploadPartRequest => UploadPart,
        CopyPartRequest => UploadPartCopy,
        _ => Other,
    };
}
