using TusUpload.Pipeline.Outbox;
using TusUpload.Pipeline.Processing;

namespace TusUpload.Pipeline.Messaging.RabbitMq;

// A step that fails holds the dead letter and is tried again with backoff, never in a hot loop.
public sealed partial class DeadLetterRedrive
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Runs <paramref name="step"/> until it succeeds, waiting a jittered backoff after each failure (the ledger's
    /// database down or locked, a publish not confirmed); gives up, returning false, when the next try would come
    /// after <paramref name="heldUntil"/>. A stop or a lost connection cancels it.
    /// </summary>
    private async Task<(bool Done, T? Value)> HoldingAsync<T>(
        string uploadId,
        string stepName,
        Func<CancellationToken, Task<T>> step,
        DateTimeOffset heldUntil,
        CancellationToken cancellationToken)
    {
        for (var failures = 1; ; failures++)
        {
            try
            {
                return (true, await step(cancellationToken));
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not OutOfMemoryException)
            {
                var delay = RelayBackoff.Delay(failures, FirstRetryDelay, MaxRetryDelay);
                if (DateTimeOffset.UtcNow + delay > heldUntil)
                {
                    return (false, default);
                }

                if (InfrastructureOutage.CauseOf(ex) == InfrastructureOutage.Ledger)
                {
                    logger.RedriveLedgerUnavailable(uploadId, stepName, delay.TotalSeconds, ex.Message);
                }
                else
                {
                    logger.RedriveStepFailed(uploadId, stepName, delay.TotalSeconds, ex.Message);
                }

                await Task.Delay(delay, cancellationToken);
            }
        }
    }
}
