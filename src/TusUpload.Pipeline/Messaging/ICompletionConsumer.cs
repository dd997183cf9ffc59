namespace TusUpload.Pipeline.Messaging;

/// <summary>
/// Handles one delivered "upload completed" event. Returning normally means the work is committed and the
/// message may be acked; throwing means redeliver (the queue's delivery limit then dead-letters a poison message).
/// </summary>
public interface ICompletionConsumer
{
    Task HandleAsync(UploadCompletedEvent completed, int deliveryCount, CancellationToken cancellationToken);
}
