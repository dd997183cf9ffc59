namespace TusUpload.Pipeline.Messaging;

/// <summary>The data of the CloudEvent <c>tusupload.upload.completed</c>; the CloudEvent id is the upload id.</summary>
public sealed record UploadCompletedEvent(string UploadId, long Length, string? Metadata, DateTimeOffset CompletedAt);
