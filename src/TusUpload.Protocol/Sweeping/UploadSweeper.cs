using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TusUpload.Protocol.Completion;
using TusUpload.Protocol.Diagnostics;
using TusUpload.Protocol.Lifecycle;
using TusUpload.Protocol.Locking;
using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Sweeping;

/// <summary>
/// Runs once the server is serving and then every <see cref="TusOptions.SweepInterval"/>: removes expired
/// unfinished uploads (and complete partials past their expiry), and records completions a crash left unrecorded.
/// Each upload is handled under its write lock and re-read first, so a PATCH racing the sweep wins or loses cleanly.
/// </summary>
public sealed class UploadSweeper(
    IUploadStore store,
    IUploadLockProvider locks,
    IHostApplicationLifetime lifetime,
    UploadRemoval removal,
    UploadCompletion completion,
    IOptions<TusOptions> options,
    ILogger<UploadSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval);
        try
        {
            // Background services start before Kestrel binds its address: a second server started by mistake on
            // the same data (its port taken) removed uploads of the running one before it gave up. Its in-process
            // locks do not exclude the other process's writers, so it must not touch uploads before it serves.
            await WhenServingAsync(stoppingToken);

            do
            {
                try
                {
                    await SweepOnceAsync(stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    TusLog.SweepRunFailed(logger, exception);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // A stop, also one that comes while the host is still starting (say, its address is taken): the host
            // reports an exception that leaves ExecuteAsync as a failed service, and a stop is not one.
        }
    }

    private async Task WhenServingAsync(CancellationToken stoppingToken)
    {
        var serving = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var started = lifetime.ApplicationStarted.Register(() => serving.TrySetResult());
        await serving.Task.WaitAsync(stoppingToken);
    }

    /// <summary>One pass over the store; returns the number of uploads removed and completions recorded.</summary>
    public async Task<(int Expired, int Recovered)> SweepOnceAsync(CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var candidates = new List<string>();
        await foreach (var upload in store.ListAsync(cancellationToken))
        {
            if (upload.IsExpired(now) || UploadCompletion.IsPending(upload))
            {
                candidates.Add(upload.Id);
            }
        }

        var (expired, recovered) = (0, 0);
        foreach (var uploadId in candidates)
        {
            try
            {
                var outcome = await SweepUploadAsync(uploadId, cancellationToken);
                expired += outcome == SweepOutcome.Removed ? 1 : 0;
                recovered += outcome == SweepOutcome.Recovered ? 1 : 0;
            }
            catch (Exception exception) when (exception is not OperationCanceledException
                || !cancellationToken.IsCancellationRequested)
            {
                // Also a removal that outran its own bound: the upload stays and is looked at again next time.
                TusLog.SweepFailed(logger, exception, uploadId);
            }
        }

        if (expired + recovered > 0)
        {
            TusLog.Swept(logger, expired, recovered);
        }

        return (expired, recovered);
    }

    private async Task<SweepOutcome> SweepUploadAsync(string uploadId, CancellationToken cancellationToken)
    {
        // A writer that is active right now keeps its upload alive; it is looked at again next time.
        await using var uploadLock = await locks.AcquireAsync(uploadId, TimeSpan.Zero, cancellationToken);
        if (uploadLock is null)
        {
            return SweepOutcome.None;
        }

        var upload = await store.GetAsync(uploadId, cancellationToken);
        if (upload is null)
        {
            return SweepOutcome.None;
        }

        if (upload.IsExpired(DateTimeOffset.UtcNow))
        {
            // Not on the sweep's token: a shutdown between the deletion and its record would lose the record.
            await removal.ExpireAsync(uploadId);
            return SweepOutcome.Removed;
        }

        if (UploadCompletion.IsPending(upload))
        {
            await completion.EnsureRecordedAsync(upload, cancellationToken);
            return SweepOutcome.Recovered;
        }

        return SweepOutcome.None;
    }

    private enum SweepOutcome
    {
        None,
        Removed,
        Recovered,
    }
}
