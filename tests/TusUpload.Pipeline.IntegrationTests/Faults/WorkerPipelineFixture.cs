using Microsoft.Extensions.Logging.Abstractions;
using TusUpload.Pipeline.IntegrationTests.Processing;
using TusUpload.Pipeline.IntegrationTests.RabbitMq;
using TusUpload.Pipeline.Ledger;
using TusUpload.Pipeline.Messaging.RabbitMq;

namespace TusUpload.Pipeline.IntegrationTests.Faults;

/// <summary>
/// Uploads stored and recorded by the test (disk store in a temp folder; the <see cref="FaultLedger"/>: a SQLite
/// file or a PostgreSQL database of the test's own), their outbox rows published to a per-test topology on the real
/// broker, and real worker processes consuming them on the same store and ledger.
/// </summary>
internal sealed class WorkerPipelineFixture : IAsyncDisposable
{
    private readonly List<WorkerProcess> _workers = [];

    private WorkerPipelineFixture(ProcessingTestHost host, FaultLedger ledger, RabbitMqOptions rabbit)
    {
        Host = host;
        LedgerDatabase = ledger;
        Rabbit = rabbit;
        Publisher = new RabbitMqEventPublisher(
            Microsoft.Extensions.Options.Options.Create(rabbit),
            NullLogger<RabbitMqEventPublisher>.Instance);
    }

    public ProcessingTestHost Host { get; }

    /// <summary>The ledger's database, for counts the ledger interface does not offer (audit trail, outbox).</summary>
    public FaultLedger LedgerDatabase { get; }

    public RabbitMqOptions Rabbit { get; }

    public RabbitMqEventPublisher Publisher { get; }

    public string LogPath => Path.Combine(Host.Root, "worker.log");

    /// <param name="ledgerKind"><see cref="LedgerKinds.Sqlite"/> or <see cref="LedgerKinds.Postgres"/>.</param>
    /// <param name="deliveryLimit">The work queue's <c>x-delivery-limit</c>.</param>
    /// <param name="clamdEndpoint"><c>host:port</c> of the clamd to scan with; null turns scanning off.</param>
    public static async Task<WorkerPipelineFixture> CreateAsync(
        string ledgerKind,
        int deliveryLimit = 5,
        string? clamdEndpoint = null)
    {
        var ledger = await FaultLedger.CreateAsync(ledgerKind);
        var host = ProcessingTestHost.Start(scan: clamdEndpoint is not null, clamdEndpoint, [.. ledger.Settings]);
        try
        {
            await host.MigrateAsync();
        }
        catch
        {
            // No fixture to dispose yet: drop the database here rather than leave it behind.
            await host.DisposeAsync();
            await ledger.DisposeAsync();
            throw;
        }

        return new WorkerPipelineFixture(host, ledger, RabbitMqTestBroker.UniqueOptions(deliveryLimit: deliveryLimit));
    }

    /// <summary>Publishes every unsent outbox row, marking it sent once confirmed, as the relay does.</summary>
    public async Task<int> DrainOutboxAsync()
    {
        var published = 0;
        while (true)
        {
            var batch = await Host.Ledger.ClaimOutboxAsync(200, CancellationToken.None)
                .WaitAsync(TimeSpan.FromSeconds(30));
            if (batch.Count == 0)
            {
                return published;
            }

            await Publisher.PublishAsync(batch, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
            await Host.Ledger.MarkOutboxSentAsync([.. batch.Select(message => message.Id)], CancellationToken.None)
                .WaitAsync(TimeSpan.FromSeconds(30));
            published += batch.Count;
        }
    }

    public WorkerProcess StartWorker(params string[] extra)
    {
        var arguments = new List<string>
        {
            $"--Store:Disk:Path={Path.Combine(Host.Root, "uploads")}",
            $"--RabbitMq:Uri={Rabbit.Uri}",
            $"--RabbitMq:Exchange={Rabbit.Exchange}",
            $"--RabbitMq:Queue={Rabbit.Queue}",
            $"--RabbitMq:DeadLetterExchange={Rabbit.DeadLetterExchange}",
            $"--RabbitMq:DeadLetterQueue={Rabbit.DeadLetterQueue}",
            $"--RabbitMq:ParkingQueue={Rabbit.ParkingQueue}",
            $"--RabbitMq:DeliveryLimit={Rabbit.DeliveryLimit}",
            "--RabbitMq:ReconnectDelay=00:00:00.500",
            "--Worker:MetricsPort=0",
            "--Serilog:MinimumLevel:Default=Warning",
        };
        arguments.AddRange(LedgerDatabase.Arguments);
        arguments.AddRange(extra);
        var worker = WorkerProcess.Start(Host.Root, LogPath, arguments);
        _workers.Add(worker);
        return worker;
    }

    /// <summary>Polls the ledger until every upload left the given states, or the timeout passes.</summary>
    public async Task<bool> AllSettledAsync(IReadOnlyList<string> uploadIds, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var states = await Task.WhenAll(uploadIds.Select(Host.GetAsync));
            if (states.All(upload => upload.State is not (UploadState.Received or UploadState.Processing)))
            {
                return true;
            }

            // A worker that died on start-up would otherwise show only as a timeout.
            if (_workers.All(worker => worker.HasExited))
            {
                return false;
            }

            await Task.Delay(250);
        }

        return false;
    }

    /// <summary>
    /// Polls until every upload is in <paramref name="state"/>; false at the timeout or once all workers died.
    /// </summary>
    public async Task<bool> AllInStateAsync(IReadOnlyList<string> uploadIds, UploadState state, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var uploads = await Task.WhenAll(uploadIds.Select(Host.GetAsync));
            if (uploads.All(upload => upload.State == state))
            {
                return true;
            }

            if (_workers.All(worker => worker.HasExited))
            {
                return false;
            }

            await Task.Delay(250);
        }

        return false;
    }

    /// <summary>Polls until at least <paramref name="settled"/> uploads are done; returns how many are.</summary>
    public async Task<int> WaitForProgressAsync(IReadOnlyList<string> uploadIds, int settled, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var states = await Task.WhenAll(uploadIds.Select(Host.GetAsync));
            var done = states.Count(upload => upload.State is not (UploadState.Received or UploadState.Processing));
            if (done >= settled || DateTime.UtcNow >= deadline)
            {
                return done;
            }

            await Task.Delay(50);
        }
    }

    public string WorkerLog() => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "(no worker output)";

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            worker.Dispose();
        }

        await Publisher.DisposeAsync();
        await RabbitMqTestBroker.DeleteTopologyAsync(Rabbit);
        await Host.DisposeAsync();
        await LedgerDatabase.DisposeAsync();
    }
}
