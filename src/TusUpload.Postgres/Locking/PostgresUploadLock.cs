using Microsoft.Extensions.Logging;
using Npgsql;
using TusUpload.Protocol.Locking;

namespace TusUpload.Postgres.Locking;

/// <summary>A held lease: renewed in the background until disposed; a failed renewal asks the holder to stop.</summary>
public sealed class PostgresUploadLock : IUploadLock
{
    private readonly PostgresUploadLockProvider _provider;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _release = new();
    private readonly CancellationTokenSource _stopRenewing = new();
    private Task _renewing = Task.CompletedTask;
    private int _disposed;

    internal PostgresUploadLock(string uploadId, Guid ownerToken, PostgresUploadLockProvider provider, ILogger logger)
    {
        UploadId = uploadId;
        OwnerToken = ownerToken;
        _provider = provider;
        _logger = logger;
        ReleaseRequested = _release.Token;
    }

    public string UploadId { get; }

    public Guid OwnerToken { get; }

    public CancellationToken ReleaseRequested { get; }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopRenewing.CancelAsync();
        await _renewing;
        await _provider.ReleaseAsync(this, deleteRow: true);
        _stopRenewing.Dispose();
        _release.Dispose();
    }

    internal void StartRenewing(TimeSpan interval)
    {
        _renewing = RenewUntilStoppedAsync(interval);
    }

    internal void RequestRelease()
    {
        try
        {
            _release.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Released already; nobody is left to ask.
        }
    }

    /// <summary>Forgets a lease that was never taken (or given up while taking it).</summary>
    internal async Task AbandonAsync()
    {
        Interlocked.Exchange(ref _disposed, 1);
        await _provider.ReleaseAsync(this, deleteRow: false);
    }

    private async Task RenewUntilStoppedAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopRenewing.Token))
            {
                Exception? failure = null;
                var renewed = false;
                try
                {
                    renewed = await _provider.RenewAsync(this, _stopRenewing.Token);
                }
                catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
                {
                    failure = exception;
                }

                if (!renewed)
                {
                    // Another instance may own the upload now (or soon): the writer must stop before it writes more.
                    LockLog.LeaseLost(_logger, UploadId, failure);
                    RequestRelease();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (_stopRenewing.IsCancellationRequested)
        {
            // Disposed: the lease is being released.
        }
    }
}
