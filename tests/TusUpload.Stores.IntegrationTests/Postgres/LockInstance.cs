using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using TusUpload.Postgres.Locking;

namespace TusUpload.Stores.IntegrationTests.Postgres;

/// <summary>What one server instance holds for locking: its own data source, listener and lock provider.</summary>
internal sealed class LockInstance : IAsyncDisposable
{
    private LockInstance(
        NpgsqlDataSource dataSource,
        PostgresLockListener listener,
        PostgresUploadLockProvider provider)
    {
        DataSource = dataSource;
        Listener = listener;
        Provider = provider;
    }

    public NpgsqlDataSource DataSource { get; }

    public PostgresLockListener Listener { get; }

    public PostgresUploadLockProvider Provider { get; }

    public static async Task<LockInstance> StartAsync(
        string name,
        TimeSpan? leaseDuration = null,
        string? connectionString = null)
    {
        var options = Options.Create(new PostgresLockOptions
        {
            InstanceId = name,
            LeaseDuration = leaseDuration ?? TimeSpan.FromSeconds(10),
            RenewInterval = (leaseDuration ?? TimeSpan.FromSeconds(10)) / 4,
        });
        var dataSource = NpgsqlDataSource.Create(connectionString ?? PostgresTestEnvironment.ConnectionString);
        var listener = new PostgresLockListener(dataSource, options, NullLogger<PostgresLockListener>.Instance);
        var provider = new PostgresUploadLockProvider(
            dataSource,
            listener,
            options,
            NullLogger<PostgresUploadLockProvider>.Instance,
            TimeProvider.System);
        await listener.StartAsync(CancellationToken.None);
        await listener.SessionAsync(CancellationToken.None).WaitAsync(TestData.Timeout);
        return new LockInstance(dataSource, listener, provider);
    }

    public async ValueTask DisposeAsync()
    {
        await Listener.StopAsync(CancellationToken.None).WaitAsync(TestData.Timeout);
        Listener.Dispose();
        await DataSource.DisposeAsync();
    }
}
