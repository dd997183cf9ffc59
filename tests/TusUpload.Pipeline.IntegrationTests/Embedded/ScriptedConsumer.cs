using System.Collections.Concurrent;
using TusUpload.Pipeline.Messaging;

namespace TusUpload.Pipeline.IntegrationTests.Embedded;

/// <summary>
/// A consumer of our own seam that fails the first deliveries of chosen uploads and records every call.
/// </summary>
internal sealed class ScriptedConsumer(Func<UploadCompletedEvent, int, bool> fails) : ICompletionConsumer
{
    public ConcurrentQueue<(string UploadId, int Delivery)> Calls { get; } = new();

    public ConcurrentQueue<string> Handled { get; } = new();

    public Task HandleAsync(UploadCompletedEvent completed, int deliveryCount, CancellationToken cancellationToken)
    {
        Calls.Enqueue((completed.UploadId, deliveryCount));
        if (fails(completed, deliveryCount))
        {
            throw new IOException($"delivery {deliveryCount} of {completed.UploadId} failed (test)");
        }

        Handled.Enqueue(completed.UploadId);
        return Task.CompletedTask;
    }
}
