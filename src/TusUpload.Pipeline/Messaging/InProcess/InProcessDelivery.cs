namespace TusUpload.Pipeline.Messaging.InProcess;

/// <summary>One event on the in-process queue and the promise the worker keeps once it has dealt with it.</summary>
public sealed class InProcessDelivery(UploadCompletedEvent completed)
{
    private readonly TaskCompletionSource _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public UploadCompletedEvent Completed { get; } = completed;

    /// <summary>Completes when the worker committed the outcome (processed, or marked failed).</summary>
    public Task Settled => _settled.Task;

    public void Settle() => _settled.TrySetResult();

    public void Abandon(CancellationToken cancellationToken) => _settled.TrySetCanceled(cancellationToken);
}
