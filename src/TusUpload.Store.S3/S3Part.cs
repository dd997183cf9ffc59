namespace TusUpload.Store.S3;

/// <summary>One committed multipart part, as recorded in the upload's info object.</summary>
public sealed record S3Part(int Number, string ETag, long Size);
