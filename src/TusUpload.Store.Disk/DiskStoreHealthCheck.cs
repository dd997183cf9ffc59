using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace TusUpload.Store.Disk;

/// <summary>Readiness: the store folder accepts a synced write. A full or read-only disk makes it unhealthy.</summary>
public sealed class DiskStoreHealthCheck(DiskUploadStore store, ILogger<DiskStoreHealthCheck> logger) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context,
        CancellationToken cancellationToken = default)
    {
        var problem = DiskStoreProbe.TryWrite(store.RootPath);
        if (problem is null)
        {
            return Task.FromResult(HealthCheckResult.Healthy("The disk store is writable."));
        }

        DiskStoreLog.ProbeFailed(logger, store.RootPath, problem);
        return Task.FromResult(HealthCheckResult.Unhealthy("The disk store is not writable: " + problem));
    }
}
