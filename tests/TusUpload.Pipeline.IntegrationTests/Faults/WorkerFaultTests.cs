using TusUpload.Pipeline.IntegrationTests.Processing;
using TusUpload.Pipeline.IntegrationTests.RabbitMq;
using TusUpload.Pipeline.Ledger;

namespace TusUpload.Pipeline.IntegrationTests.Faults;

public sealed class WorkerFaultTests
{
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(180);

    // The embedded default and production's database: the same proof, each ledger's own locking.
    [Theory]
    [InlineData(LedgerKinds.Sqlite)]
    [InlineData(LedgerKinds.Postgres)]
    public async Task Worker_killed_with_sigkill_repeatedly_finishes_every_upload_with_exact_reference_counts(
        string ledgerKind)
    {
        // Arrange: 300 uploads of 256 KiB over 12 distinct contents, all published.
        await using var fixture = await WorkerPipelineFixture.CreateAsync(ledgerKind);
        var contents = Enumerable.Range(0, 12).Select(Content).ToArray();
        var expected = new Dictionary<string, string>();
        for (var i = 0; i < 300; i++)
        {
            var content = contents[i % contents.Length];
            expected[await fixture.Host.ReceiveAsync(content)] = ProcessingTestHost.Sha256Hex(content);
        }

        Assert.Equal(300, await fixture.DrainOutboxAsync());
        var ids = expected.Keys.ToList();

        // Act: four workers killed with SIGKILL as soon as each has made progress, then one left to finish. A kill
        // can fall between two uploads, and on a loaded machine four in a row did; so more rounds follow, up to
        // ten while uploads are left, until one kill has landed while an upload was being processed.
        var interrupted = 0;
        var settledBefore = 0;
        for (var round = 0;
             round < 4 || (interrupted == 0 && round < 10 && settledBefore + 15 <= ids.Count);
             round++)
        {
            using var worker = fixture.StartWorker();
            settledBefore = await fixture.WaitForProgressAsync(ids, settledBefore + 15, TimeSpan.FromSeconds(60));
            worker.KillHard();
            var states = await Task.WhenAll(ids.Select(fixture.Host.GetAsync));
            interrupted += states.Count(upload => upload.State == UploadState.Processing);
        }

        using var last = fixture.StartWorker();
        var settled = await fixture.AllSettledAsync(ids, SettleTimeout);

        // Assert
        Assert.True(settled, "not every upload was processed; worker output:\n" + fixture.WorkerLog());
        Assert.True(interrupted > 0, "no kill landed while an upload was being processed, so nothing was proven");
        var uploads = await Task.WhenAll(ids.Select(fixture.Host.GetAsync));
        Assert.All(uploads, upload => Assert.Equal(expected[upload.UploadId], upload.Sha256));
        Assert.All(uploads, upload => Assert.True(
            upload.State is UploadState.Available or UploadState.Duplicate,
            $"upload {upload.UploadId} ended {upload.State}: {upload.FailureReason}"));
        foreach (var group in uploads.GroupBy(upload => upload.Sha256!))
        {
            Assert.Equal(group.Count(), await fixture.Host.ReferenceCountAsync(group.Key));
            Assert.Equal(1, group.Count(upload => upload.State == UploadState.Available));
            Assert.True(await fixture.Host.Blobs.ExistsAsync(group.Key, default));
        }

        Assert.Equal(contents.Length, fixture.Host.BlobFileCount());
        Assert.Equal(contents.Length, await fixture.LedgerDatabase.CountAsync("SELECT count(*) FROM ledger_blobs"));

        // Exactly once: however often a killed worker's delivery came back, each upload concluded in one commit.
        Assert.Equal(300, await fixture.LedgerDatabase.CountAsync(
            "SELECT count(*) FROM ledger_audit WHERE to_state IN ('available', 'duplicate')"));
        Assert.Equal(0, await fixture.LedgerDatabase.CountAsync(
            "SELECT count(*) FROM (SELECT upload_id FROM ledger_audit WHERE to_state IN ('available', 'duplicate') "
            + "GROUP BY upload_id HAVING count(*) <> 1) AS repeated"));
    }

    [Fact]
    public async Task Poison_upload_is_failed_after_the_limit_and_its_dead_letter_parked_without_blocking_others()
    {
        // Arrange: delivery limit 2, so the poison message is delivered 3 times; production's ledger.
        await using var fixture = await WorkerPipelineFixture.CreateAsync(LedgerKinds.Postgres, deliveryLimit: 2);
        var good = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            good.Add(await fixture.Host.ReceiveAsync(Content(i)));
        }

        var poison = await fixture.Host.ReceiveAsync(Content(100));
        await fixture.Host.Store.DeleteAsync(poison, default).WaitAsync(TimeSpan.FromSeconds(10));
        await fixture.DrainOutboxAsync();

        // Act
        var metricsPort = PrivateServices.FreeLoopbackPort();
        using var worker = fixture.StartWorker($"--Worker:MetricsPort={metricsPort}");
        var settled = await fixture.AllSettledAsync([.. good, poison], SettleTimeout);
        var parked = await RabbitMqTestBroker.EventuallyAsync(
            () => RabbitMqTestBroker.MessageCountAsync(fixture.Rabbit, fixture.Rabbit.ParkingQueue).Result == 1,
            TimeSpan.FromSeconds(30));

        // Assert: dead-lettered with the upload failed, so the worker's redrive parked it for an operator.
        Assert.True(settled, "uploads were left unprocessed; worker output:\n" + fixture.WorkerLog());
        Assert.True(parked, "the poison message was not parked; worker output:\n" + fixture.WorkerLog());
        Assert.Equal(0u, await RabbitMqTestBroker.MessageCountAsync(fixture.Rabbit, fixture.Rabbit.DeadLetterQueue));
        var failed = await fixture.Host.GetAsync(poison);
        Assert.Equal(UploadState.Failed, failed.State);
        Assert.Contains("gave up after 3 deliveries", failed.FailureReason, StringComparison.Ordinal);
        Assert.All(await Task.WhenAll(good.Select(fixture.Host.GetAsync)), upload =>
            Assert.Equal(UploadState.Available, upload.State));
        Assert.Equal(0u, await RabbitMqTestBroker.MessageCountAsync(fixture.Rabbit, fixture.Rabbit.Queue));
        // The counter moves right after the parked copy is confirmed, so it may trail the queue by a moment.
        var metrics = await MetricsAsync(metricsPort);
        for (var i = 0; i < 20 && !metrics.Contains("tus_processing_parked_total", StringComparison.Ordinal); i++)
        {
            await Task.Delay(250);
            metrics = await MetricsAsync(metricsPort);
        }

        Assert.Contains("tus_processing_messages_consumed_total", metrics, StringComparison.Ordinal);
        Assert.Contains("tus_processing_failures_total", metrics, StringComparison.Ordinal);
        Assert.Contains("tus_processing_parked_total{reason=\"settled\"}", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clamd_stopped_keeps_uploads_processing_and_they_finish_once_it_returns()
    {
        // Arrange: a private clamd that this test may stop; production's ledger.
        await using var clamd = await PrivateServices.StartClamdAsync();
        var endpoint = $"127.0.0.1:{clamd.ClamdPort}";
        await using var fixture = await WorkerPipelineFixture.CreateAsync(
            LedgerKinds.Postgres,
            clamdEndpoint: endpoint);
        var clean = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            clean.Add(await fixture.Host.ReceiveAsync(Content(i)));
        }

        var infected = await fixture.Host.ReceiveAsync(ProcessingTestHost.Eicar());
        await fixture.DrainOutboxAsync();
        await clamd.StopAsync();

        // Act: with the scanner down, deliveries retry, defer and requeue, but never conclude.
        using var worker = fixture.StartWorker(
            "--ClamAV:Enabled=true",
            "--ClamAV:Host=127.0.0.1",
            $"--ClamAV:Port={clamd.ClamdPort}",
            "--Worker:ScannerRetryWindow=00:00:02",
            "--Worker:ScannerRetryDelay=00:00:00.500");

        // Every upload is taken up, and none concludes for longer than two retry windows after that. Waited for rather
        // than assumed after a fixed time: the worker takes a few at once, and each holds its delivery for a retry
        // window, so on a busy machine eight seconds once left three of eleven still waiting their turn.
        var takenUp = await fixture.AllInStateAsync([.. clean, infected], UploadState.Processing, SettleTimeout);
        await Task.Delay(TimeSpan.FromSeconds(5));
        var duringOutage = await Task.WhenAll(clean.Append(infected).Select(fixture.Host.GetAsync));
        await clamd.StartAsync();
        var settled = await fixture.AllSettledAsync([.. clean, infected], SettleTimeout);

        // Assert
        Assert.True(takenUp, "not every upload was taken up during the outage; worker output:\n" + fixture.WorkerLog());
        Assert.All(duringOutage, upload => Assert.Equal(UploadState.Processing, upload.State));
        Assert.True(settled, "uploads did not finish after clamd returned; worker output:\n" + fixture.WorkerLog());
        Assert.All(await Task.WhenAll(clean.Select(fixture.Host.GetAsync)), upload =>
            Assert.Equal(UploadState.Available, upload.State));
        Assert.Equal(UploadState.Quarantined, (await fixture.Host.GetAsync(infected)).State);
        Assert.Equal(0u, await RabbitMqTestBroker.MessageCountAsync(fixture.Rabbit, fixture.Rabbit.DeadLetterQueue));
    }

    [Fact]
    public async Task Worker_stops_gracefully_on_sigterm_after_finishing_its_work()
    {
        // Arrange: the embedded default ledger; the other tests here run on PostgreSQL.
        await using var fixture = await WorkerPipelineFixture.CreateAsync(LedgerKinds.Sqlite);
        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add(await fixture.Host.ReceiveAsync(Content(200 + i)));
        }

        await fixture.DrainOutboxAsync();
        using var worker = fixture.StartWorker("--Serilog:MinimumLevel:Default=Information");
        Assert.True(await fixture.AllSettledAsync(ids, SettleTimeout), fixture.WorkerLog());

        // Act
        var exitCode = await worker.TerminateAsync(TimeSpan.FromSeconds(30));

        // Assert
        Assert.Equal(0, exitCode);
        Assert.Contains("\"Id\":6002", fixture.WorkerLog(), StringComparison.Ordinal);
    }

    private static async Task<string> MetricsAsync(int port)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return await client.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"))
            .WaitAsync(TimeSpan.FromSeconds(15));
    }

    // Deterministic, distinct 256 KiB contents.
    private static byte[] Content(int seed)
    {
        var content = new byte[256 * 1024];
        new Random(seed).NextBytes(content);
        return content;
    }
}
