using TusUpload.Pipeline.Ledger;
using TusUpload.Pipeline.Messaging;

namespace TusUpload.Pipeline.IntegrationTests.Outbox;

/// <summary>
/// A publisher whose publish never confirms: it waits until it is cancelled, as one cut short by a stop.
/// </summary>
internal sealed class UntilCancelledPublisher : IEventPublisher
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the first publish has begun.</summary>
    public Task Started => _started.Task;

    public async Task PublishAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken cancellationToken)
    {
        _started.TrySetResult();
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }
}
