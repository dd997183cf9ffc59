using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using TusUpload.Postgres.Locking;
using TusUpload.Protocol.Locking;
using TusUpload.Protocol.Storage;

namespace TusUpload.Stores.IntegrationTests.Postgres;

/// <summary>The lease lock between instances, each with its own PostgreSQL sessions, on a real PostgreSQL.</summary>
public sealed class PostgresUploadLockTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task Second_instance_asks_the_holder_which_releases_and_hands_over_the_lock()
    {
        await using var first = await LockInstance.StartAsync("first");
        await using var second = await LockInstance.StartAsync("second");
        var uploadId = TestData.NewId();
        var held = await AcquireAsync(first, uploadId, TimeSpan.FromSeconds(1));
        held.ReleaseRequested.Register(() => _ = held.DisposeAsync().AsTask());

        var watch = Stopwatch.StartNew();
        var taken = await AcquireAsync(second, uploadId, TimeSpan.FromSeconds(10));
        watch.Stop();

        Assert.True(held.ReleaseRequested.IsCancellationRequested);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"takeover took {watch.Elapsed}");
        Assert.False(taken.ReleaseRequested.IsCancellationRequested);
        await taken.DisposeAsync();
    }

    [Fact]
    public async Task Holder_that_does_not_release_makes_the_second_request_get_null_after_the_timeout()
    {
        await using var first = await LockInstance.StartAsync("first");
        await using var second = await LockInstance.StartAsync("second");
        var uploadId = TestData.NewId();
        var held = await AcquireAsync(first, uploadId, TimeSpan.FromSeconds(1));

        var refused = await second.Provider.AcquireAsync(uploadId, TimeSpan.FromSeconds(1), CancellationToken.None)
            .WaitAsync(TestData.Timeout);
        await held.DisposeAsync();
        var afterRelease = await AcquireAsync(second, uploadId, TimeSpan.FromSeconds(1));

        Assert.Null(refused);
        Assert.True(held.ReleaseRequested.IsCancellationRequested);
        await afterRelease.DisposeAsync();
    }

    [Fact]
    public async Task Lease_of_an_instance_whose_session_ended_is_taken_over_before_it_expires()
    {
        await using var first = await LockInstance.StartAsync("first", leaseDuration: TimeSpan.FromSeconds(60));
        await using var second = await LockInstance.StartAsync("second");
        var uploadId = TestData.NewId();
        var held = await AcquireAsync(first, uploadId, TimeSpan.FromSeconds(1));
        var session = await first.Listener.SessionAsync(CancellationToken.None).WaitAsync(TestData.Timeout);

        // What a kill -9 of the instance does to its session, without killing the test process.
        await TerminateBackendAsync(session.Pid);
        var taken = await AcquireAsync(second, uploadId, TimeSpan.FromSeconds(5));

        await WaitUntilAsync(() => held.ReleaseRequested.IsCancellationRequested);
        Assert.NotNull(taken);
        await taken.DisposeAsync();
        await held.DisposeAsync();
    }

    [Fact]
    public async Task An_instance_under_another_role_sees_the_holder_alive_and_takes_over_only_once_it_is_gone()
    {
        var (role, otherRole) = await CreateLimitedRoleAsync();
        try
        {
            await TakeOverAcrossRolesAsync(otherRole);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync($"DROP OWNED BY {role}; DROP ROLE {role};");
        }
    }

    private async Task TakeOverAcrossRolesAsync(string otherRole)
    {
        await using var first = await LockInstance.StartAsync("first", leaseDuration: TimeSpan.FromSeconds(60));
        await using var second = await LockInstance.StartAsync("second", connectionString: otherRole);
        var uploadId = TestData.NewId();
        var held = await AcquireAsync(first, uploadId, TimeSpan.FromSeconds(1));
        var session = await first.Listener.SessionAsync(CancellationToken.None).WaitAsync(TestData.Timeout);

        // This role cannot see the holder's backend_start; a liveness check through it called the holder dead.
        var refused = await second.Provider.AcquireAsync(uploadId, TimeSpan.FromSeconds(1), CancellationToken.None)
            .WaitAsync(TestData.Timeout);
        await TerminateBackendAsync(session.Pid);
        var taken = await AcquireAsync(second, uploadId, TimeSpan.FromSeconds(5));

        Assert.Null(refused);
        Assert.NotNull(taken);
        await taken.DisposeAsync();
        await held.DisposeAsync();
    }

    [Fact]
    public async Task Lost_lease_asks_the_holder_to_stop()
    {
        await using var first = await LockInstance.StartAsync("first", leaseDuration: TimeSpan.FromSeconds(2));
        var uploadId = TestData.NewId();
        var held = await AcquireAsync(first, uploadId, TimeSpan.FromSeconds(1));

        await using (var connection = await database.DataSource.OpenConnectionAsync().AsTask()
            .WaitAsync(TestData.Timeout))
        await using (var steal = new NpgsqlCommand("DELETE FROM tus_upload_lease WHERE upload_id = @id", connection))
        {
            steal.Parameters.AddWithValue("id", uploadId);
            await steal.ExecuteNonQueryAsync().WaitAsync(TestData.Timeout);
        }

        await WaitUntilAsync(() => held.ReleaseRequested.IsCancellationRequested);
        Assert.True(held.ReleaseRequested.IsCancellationRequested);
        await held.DisposeAsync();
    }

    [Fact]
    public async Task Concurrent_requests_on_two_instances_never_hold_one_upload_at_once()
    {
        await using var first = await LockInstance.StartAsync("first");
        await using var second = await LockInstance.StartAsync("second");
        var uploadId = TestData.NewId();
        var inside = 0;
        var overlaps = 0;
        var grants = 0;

        async Task WorkAsync(LockInstance instance)
        {
            for (var round = 0; round < 8; round++)
            {
                await using var held = await instance.Provider
                    .AcquireAsync(uploadId, TimeSpan.FromSeconds(3), CancellationToken.None)
                    .WaitAsync(TestData.Timeout);
                if (held is null)
                {
                    continue;
                }

                Interlocked.Increment(ref grants);
                if (Interlocked.Increment(ref inside) != 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                await Task.Delay(15);
                Interlocked.Decrement(ref inside);
            }
        }

        await Task.WhenAll(WorkAsync(first), WorkAsync(first), WorkAsync(second), WorkAsync(second))
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, overlaps);
        Assert.True(grants >= 16, $"only {grants} of 32 requests got the lock");
    }

    [Fact]
    public async Task Unreachable_PostgreSQL_makes_acquire_throw_Unavailable()
    {
        var options = Options.Create(new PostgresLockOptions { InstanceId = "cut-off" });
        await using var dataSource = NpgsqlDataSource.Create(
            $"Host=127.0.0.1;Port={ClosedPort()};Username=postgres;Timeout=2");
        using var listener = new PostgresLockListener(dataSource, options, NullLogger<PostgresLockListener>.Instance);
        var provider = new PostgresUploadLockProvider(
            dataSource,
            listener,
            options,
            NullLogger<PostgresUploadLockProvider>.Instance,
            TimeProvider.System);
        await listener.StartAsync(CancellationToken.None);

        var error = await Assert.ThrowsAsync<UploadStoreException>(
            () => provider.AcquireAsync(TestData.NewId(), TimeSpan.FromSeconds(1), CancellationToken.None)
                .WaitAsync(TestData.Timeout));
        await listener.StopAsync(CancellationToken.None).WaitAsync(TestData.Timeout);

        Assert.Equal(UploadStoreError.Unavailable, error.Error);
        Assert.Equal("The upload lock is temporarily unavailable; retry.", error.ClientReason);
    }

    [Fact]
    public async Task Migrating_again_applies_nothing_and_the_journal_lists_the_lease_table()
    {
        await database.Migrator.MigrateAsync(CancellationToken.None).WaitAsync(TestData.Timeout);

        await using var connection = await database.DataSource.OpenConnectionAsync().AsTask()
            .WaitAsync(TestData.Timeout);
        await using var journal = new NpgsqlCommand(
            "SELECT count(*) FROM tus_schema_versions WHERE scriptname = '0001_upload_lease.sql'",
            connection);
        var count = (long)(await journal.ExecuteScalarAsync().WaitAsync(TestData.Timeout))!;

        Assert.Equal(1, count);
    }

    private static async Task<IUploadLock> AcquireAsync(LockInstance instance, string uploadId, TimeSpan takeover)
    {
        return await instance.Provider.AcquireAsync(uploadId, takeover, CancellationToken.None)
            .WaitAsync(TestData.Timeout)
            ?? throw new InvalidOperationException($"Upload {uploadId}: lock not granted");
    }

    /// <summary>
    /// A login role with only the rights an instance needs on the lease table, and its connection string.
    /// </summary>
    private async Task<(string Role, string ConnectionString)> CreateLimitedRoleAsync()
    {
        var role = "tus_lock_" + Guid.NewGuid().ToString("N")[..12];
        var connectionString = new NpgsqlConnectionStringBuilder(PostgresTestEnvironment.ConnectionString)
        {
            Username = role,
        };
        await ExecuteAsync(
            $"""
            CREATE ROLE {role} LOGIN NOSUPERUSER;
            GRANT CONNECT ON DATABASE "{connectionString.Database}" TO {role};
            GRANT USAGE ON SCHEMA public TO {role};
            GRANT SELECT, INSERT, UPDATE, DELETE ON tus_upload_lease TO {role};
            """);
        return (role, connectionString.ConnectionString);
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync().AsTask()
            .WaitAsync(TestData.Timeout);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync().WaitAsync(TestData.Timeout);
    }

    private async Task TerminateBackendAsync(int pid)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync().AsTask()
            .WaitAsync(TestData.Timeout);
        await using var terminate = new NpgsqlCommand("SELECT pg_terminate_backend(@pid)", connection);
        terminate.Parameters.AddWithValue("pid", pid);
        await terminate.ExecuteScalarAsync().WaitAsync(TestData.Timeout);
    }

    private static int ClosedPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
    }
}
