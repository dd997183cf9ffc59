using System.Collections.Concurrent;
using TusUpload.Pipeline.Ledger;
using TusUpload.Pipeline.Messaging;

namespace TusUpload.Pipeline.IntegrationTests.Outbox;

/// <summary>
/// A fake of our own publisher seam (not of a broker): it refuses the first <c>failures</c> publishes, as a broker
/// that is down would, then records every event it "confirms".
/// </summary>
internal sealed class FlakyRecordingPublisher(int failures, TimeSpan delayPerBatch) : IEventPublisher
{
    private int _calls;

    public ConcurrentQueue<string> Published { get; } = new();

    public int FailedCalls => Math.Min(Volatile.Read(ref _calls), failures);

    public async Task PublishAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _calls) <= failures)
        {
            throw new InvalidOperationException("broker unreachable (test)");
        }

        await Task.Delay(delayPerBatch, cancellationToken);
        foreach (var message in messages)
        {
            Published.Enqueue(message.UploadId);
        }
    }
}
