using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TusUpload.Pipeline.Ledger;

/// <summary>
/// Ready when the ledger answers a query on the outbox: the database is reachable and its schema is in place.
/// </summary>
public sealed class LedgerHealthCheck(IUploadLedger ledger) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context,
        CancellationToken cancellationToken = default)
    {
        try
        {
            var backlog = await ledger.CountUnsentOutboxAsync(cancellationToken);
            return HealthCheckResult.Healthy($"outbox backlog {backlog}");
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The ledger does not answer.", exception);
        }
    }
}
