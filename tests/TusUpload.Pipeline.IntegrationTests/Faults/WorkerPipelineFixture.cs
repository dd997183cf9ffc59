using Microsoft.Extensions.Logging.Abstractions;
using TusUpload.Pipeline.IntegrationTests.Processing;
using TusUpload.Pipeline.IntegrationTests.RabbitMq;
using TusUpload.Pipeline.Ledger;
using TusUpload.Pipeline.Messaging.RabbitMq;

namespace TusUpload.Pipeline.IntegrationTests.Faults;

/// <summary>
/// Uploads stored and recorded by the test (disk store + SQLite ledger in a temp folder), their outbox rows
/// published to a per-test topology on the real broker, and real worker processes consuming them.
/// </summary>
internal sealed class WorkerPipelineFixture : IAsyncDisposable
{
    private readonly List<WorkerProcess> _workers = [];

    private WorkerPipelineFixture(ProcessingTestHost host, RabbitMqOptions rabbit)
    {
        Host = host;
        Rabbit = rabbit;
        Publisher = new RabbitMqEventPublisher(
            Microsoft.Extensions.Options.Options.Create(rabbit),
            NullLogger<RabbitMqEventPublisher>.Instance);
    }

    public ProcessingTestHost Host { get; }

    public RabbitMqOptions Rabbit { get; }

    public RabbitMqEventPublisher Publisher { get; }

    public string LogPath => Path.Combine(Host.Root, "worker.log");

    public static WorkerPipelineFixture Create(int deliveryLimit = 5, string? clamdEndpoint = null) =>
        new(
            ProcessingTestHost.Start(scan: clamdEndpoint is not null, clamdEndpoint),
            RabbitMqTestBroker.UniqueOptions(deliveryLimit: deliveryLimit));

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
            $"--Ledger:Path={Path.Combine(Host.Root, "ledger.db")}",
            $"--RabbitMq:Uri={Rabbit.Uri}",
            $"--RabbitMq:Exchange={Rabbit.Exchange}",
            $"--RabbitMq:Queue={Rabbit.Queue}",
            $"--RabbitMq:DeadLetterExchange={Rabbit.DeadLetterExchange}",
            $"--RabbitMq:DeadLetterQueue={Rabbit.DeadLetterQueue}",
            $"--RabbitMq:DeliveryLimit={Rabbit.DeliveryLimit}",
            "--RabbitMq:ReconnectDelay=00:00:00.500",
            "--Worker:MetricsPort=0",
            "--Serilog:MinimumLevel:Default=Warning",
        };
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
    }
}
