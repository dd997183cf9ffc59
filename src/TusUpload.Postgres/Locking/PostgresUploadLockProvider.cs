using System.Collections.Concurrent;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using TusUpload.Protocol.Locking;
using TusUpload.Protocol.Storage;

namespace TusUpload.Postgres.Locking;

/// <summary>
/// One writer per upload across instances: a lease row per upload, taken and renewed in short statements.
/// A request that finds the lease held asks the holder to release over LISTEN/NOTIFY and retries until the
/// takeover timeout; a lease whose holder's session is gone (a killed process) or that expired is taken at once.
/// A holder's session is alive while pg_locks shows its advisory lock, which every role can see.
/// </summary>
public sealed class PostgresUploadLockProvider : IUploadLockProvider
{
    private const string TakeSql = """
        INSERT INTO tus_upload_lease AS l
            (upload_id, owner_token, instance_id, holder_pid, holder_started, holder_key, expires_at)
        VALUES (@UploadId, @OwnerToken, @InstanceId, @HolderPid, @HolderStarted, @HolderKey, now() + @Lease)
        ON CONFLICT (upload_id) DO UPDATE
        SET owner_token = excluded.owner_token, instance_id = excluded.instance_id, holder_pid = excluded.holder_pid,
            holder_started = excluded.holder_started, holder_key = excluded.holder_key, acquired_at = now(),
            expires_at = excluded.expires_at
        WHERE l.expires_at < now()
           OR (l.holder_key IS NOT NULL AND NOT EXISTS (
               SELECT 1 FROM pg_locks k
               WHERE k.locktype = 'advisory' AND k.granted AND k.objsubid = 2
                 AND k.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                 AND k.classid::bigint = @KeyNamespace AND k.objid::bigint = l.holder_key))
           OR (l.holder_key IS NULL AND NOT EXISTS (
               SELECT 1 FROM pg_stat_activity a WHERE a.pid = l.holder_pid AND a.backend_start = l.holder_started))
        RETURNING owner_token
        """;

    private const string HolderSql = "SELECT owner_token FROM tus_upload_lease WHERE upload_id = @UploadId";

    private static readonly TimeSpan AskAgainInterval = TimeSpan.FromSeconds(1);

    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresLockListener _listener;
    private readonly PostgresLockOptions _options;
    private readonly ILogger<PostgresUploadLockProvider> _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<Guid, PostgresUploadLock> _held = new();

    public PostgresUploadLockProvider(
        NpgsqlDataSource dataSource,
        PostgresLockListener listener,
        IOptions<PostgresLockOptions> options,
        ILogger<PostgresUploadLockProvider> logger,
        TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(listener);
        ArgumentNullException.ThrowIfNull(options);
        _dataSource = dataSource;
        _listener = listener;
        _options = options.Value;
        _logger = logger;
        _time = time;
        listener.ReleaseRequested += OnReleaseRequested;
        listener.SessionLost += OnSessionLost;
    }

    public async Task<IUploadLock?> AcquireAsync(
        string uploadId,
        TimeSpan takeoverTimeout,
        CancellationToken cancellationToken)
    {
        var deadline = _time.GetTimestamp() + (long)(takeoverTimeout.TotalSeconds * _time.TimestampFrequency);
        var session = await WaitForSessionAsync(takeoverTimeout, cancellationToken);
        var candidate = new PostgresUploadLock(uploadId, Guid.NewGuid(), this, _logger);

        // Known before the row exists, so a release request that follows the take at once is not missed.
        _held[candidate.OwnerToken] = candidate;
        try
        {
            var nextAsk = 0L;
            while (true)
            {
                if (await TryTakeAsync(candidate, session, cancellationToken))
                {
                    candidate.StartRenewing(_options.RenewInterval);
                    LockLog.Acquired(_logger, uploadId, _options.InstanceId);
                    return candidate;
                }

                var now = _time.GetTimestamp();
                if (now >= deadline)
                {
                    LockLog.TakeoverTimedOut(_logger, uploadId, takeoverTimeout.TotalMilliseconds);
                    await candidate.AbandonAsync();
                    return null;
                }

                if (now >= nextAsk)
                {
                    await AskHolderToReleaseAsync(uploadId, cancellationToken);
                    nextAsk = now + (long)(AskAgainInterval.TotalSeconds * _time.TimestampFrequency);
                }

                await Task.Delay(_options.PollInterval, _time, cancellationToken);
            }
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
        {
            // PostgreSQL is down or slow: a retryable 503 for the client, never a 500.
            await candidate.AbandonAsync();
            throw LockUnavailable("The upload lock is unavailable.", exception);
        }
        catch
        {
            await candidate.AbandonAsync();
            throw;
        }
    }

    internal async Task<bool> RenewAsync(PostgresUploadLock held, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var renewed = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE tus_upload_lease SET expires_at = now() + @Lease
            WHERE upload_id = @UploadId AND owner_token = @OwnerToken
            """,
            new { Lease = _options.LeaseDuration, held.UploadId, held.OwnerToken },
            cancellationToken: cancellationToken));
        return renewed == 1;
    }

    internal async Task ReleaseAsync(PostgresUploadLock held, bool deleteRow)
    {
        _held.TryRemove(held.OwnerToken, out _);
        if (!deleteRow)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await using var connection = await _dataSource.OpenConnectionAsync(timeout.Token);
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM tus_upload_lease WHERE upload_id = @UploadId AND owner_token = @OwnerToken",
                new { held.UploadId, held.OwnerToken },
                cancellationToken: timeout.Token));
            LockLog.Released(_logger, held.UploadId);
        }
        catch (Exception exception) when (
            exception is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            LockLog.ReleaseFailed(_logger, held.UploadId, exception);
        }
    }

    private async Task<LockHolderSession> WaitForSessionAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await _listener.SessionAsync(cancellationToken).WaitAsync(timeout, _time, cancellationToken);
        }
        catch (TimeoutException exception)
        {
            throw LockUnavailable(
                "The upload lock is unavailable: no PostgreSQL session for release requests.",
                exception);
        }
    }

    /// <summary>
    /// A retryable 503 that names the lock, not the storage, as what is down: the store may be fine, and an operator
    /// reading the answer looks at the lock database.
    /// </summary>
    private static UploadStoreException LockUnavailable(string message, Exception exception) => new(
        UploadStoreError.Unavailable,
        message,
        exception)
    {
        ClientReason = "The upload lock is temporarily unavailable; retry.",
    };

    private async Task<bool> TryTakeAsync(
        PostgresUploadLock candidate,
        LockHolderSession session,
        CancellationToken cancellationToken)
    {
        var lease = new
        {
            candidate.UploadId,
            candidate.OwnerToken,
            _options.InstanceId,
            HolderPid = session.Pid,
            HolderStarted = session.Started,
            HolderKey = session.Key,
            KeyNamespace = (long)LockHolderSession.KeyNamespace,
            Lease = _options.LeaseDuration,
        };

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var taken = await connection.ExecuteScalarAsync<Guid?>(
            new CommandDefinition(TakeSql, lease, cancellationToken: cancellationToken));
        return taken == candidate.OwnerToken;
    }

    private async Task AskHolderToReleaseAsync(string uploadId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var holder = await connection.ExecuteScalarAsync<Guid?>(
            new CommandDefinition(HolderSql, new { UploadId = uploadId }, cancellationToken: cancellationToken));
        if (holder is { } ownerToken)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT pg_notify(@Channel, @Payload)",
                new { Channel = PostgresLockListener.Channel, Payload = ownerToken.ToString() },
                cancellationToken: cancellationToken));
            LockLog.HolderAsked(_logger, uploadId);
        }
    }

    private void OnReleaseRequested(Guid ownerToken)
    {
        if (_held.TryGetValue(ownerToken, out var held))
        {
            LockLog.ReleaseRequested(_logger, held.UploadId);
            held.RequestRelease();
        }
    }

    private void OnSessionLost(Exception exception)
    {
        foreach (var held in _held.Values)
        {
            LockLog.LeaseLost(_logger, held.UploadId, exception);
            held.RequestRelease();
        }
    }
}
