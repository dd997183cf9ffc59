using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace TusUpload.Postgres.Locking;

/// <summary>
/// Keeps one PostgreSQL session per instance that LISTENs for "release this lease" requests. The session also
/// proves the instance is alive: lease rows name it, and a takeover is immediate once it is gone.
/// </summary>
public sealed class PostgresLockListener(
    NpgsqlDataSource dataSource,
    IOptions<PostgresLockOptions> options,
    ILogger<PostgresLockListener> logger) : BackgroundService
{
    public const string Channel = "tus_upload_release";

    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(5);

    private TaskCompletionSource<LockHolderSession> _session = NewSession();

    /// <summary>Raised with the owner token named in a release request.</summary>
    public event Action<Guid>? ReleaseRequested;

    /// <summary>Raised when the session ends: every lease naming it can be taken over now.</summary>
    public event Action<Exception>? SessionLost;

    /// <summary>The live session, once connected.</summary>
    public Task<LockHolderSession> SessionAsync(CancellationToken cancellationToken) =>
        Volatile.Read(ref _session).Task.WaitAsync(cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await ListenAsync(stoppingToken);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    var current = Volatile.Read(ref _session);
                    if (current.Task.IsCompleted)
                    {
                        // Waiters of a session that never connected keep waiting for the next attempt.
                        Interlocked.Exchange(ref _session, NewSession());
                        LockLog.ListenerLost(logger, options.Value.InstanceId, exception);
                        SessionLost?.Invoke(exception);
                    }

                    await Task.Delay(ReconnectDelay, stoppingToken);
                }
            }
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested)
        {
            // A stop, also one while the host is still starting: the listen ends with it, not as a failed service.
        }
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
        connection.Notification += OnNotification;

        await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
        {
            await listen.ExecuteNonQueryAsync(stoppingToken);
        }

        var key = await TakeLivenessKeyAsync(connection, stoppingToken);
        await using (var whoAmI = new NpgsqlCommand(
            "SELECT pid, backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()",
            connection))
        {
            await using var reader = await whoAmI.ExecuteReaderAsync(stoppingToken);
            await reader.ReadAsync(stoppingToken);
            var session = new LockHolderSession(reader.GetInt32(0), reader.GetDateTime(1), key);
            LockLog.ListenerConnected(logger, options.Value.InstanceId, session.Pid);
            Volatile.Read(ref _session).TrySetResult(session);
        }

        // A silent network would leave WaitAsync blocked forever; a cheap query now and then notices.
        await using var ping = new NpgsqlCommand("SELECT 1", connection);
        while (true)
        {
            if (!await connection.WaitAsync(PingInterval, stoppingToken))
            {
                await ping.ExecuteScalarAsync(stoppingToken);
            }
        }
    }

    /// <summary>
    /// A session-level advisory lock under a random key, held until this session ends: the sign of life that every
    /// instance can read in pg_locks whatever role it connects as. A key another session holds is skipped.
    /// </summary>
    private static async Task<int> TakeLivenessKeyAsync(NpgsqlConnection connection, CancellationToken stoppingToken)
    {
        await using var take = new NpgsqlCommand("SELECT pg_try_advisory_lock(@namespace, @key)", connection);
        take.Parameters.AddWithValue("namespace", LockHolderSession.KeyNamespace);
        var keyParameter = take.Parameters.AddWithValue("key", 0);
        for (var attempt = 0; attempt < 16; attempt++)
        {
            var key = RandomNumberGenerator.GetInt32(1, int.MaxValue);
            keyParameter.Value = key;
            if (await take.ExecuteScalarAsync(stoppingToken) is true)
            {
                return key;
            }
        }

        throw new InvalidOperationException("No free advisory lock key for the lock listener after 16 attempts.");
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (Guid.TryParse(e.Payload, out var ownerToken))
        {
            ReleaseRequested?.Invoke(ownerToken);
        }
    }

    private static TaskCompletionSource<LockHolderSession> NewSession() =>
        new(TaskCreationOptions.RunContinuationsAsynchronously);
}
