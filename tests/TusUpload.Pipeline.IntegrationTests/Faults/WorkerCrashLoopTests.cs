using System.Text.RegularExpressions;
using TusUpload.Pipeline.IntegrationTests.RabbitMq;
using TusUpload.Pipeline.Ledger;

namespace TusUpload.Pipeline.IntegrationTests.Faults;

/// <summary>
/// Real worker processes killed with SIGKILL while they hold messages, until the quorum queue's delivery limit
/// dead-letters them with the ledger saying processing; the next worker's dead-letter redrive sends them back.
/// </summary>
public sealed class WorkerCrashLoopTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task Messages_a_crash_loop_dead_lettered_are_redriven_and_every_upload_ends_available()
    {
        // Arrange: delivery limit 1, so two killed workers dead-letter what they hold. Scanning points at a loopback
        // port nothing listens on, so each delivery waits out the scanner's retry window holding its message, as
        // during a clamd outage; production's ledger.
        await using var fixture = await WorkerPipelineFixture.CreateAsync(LedgerKinds.Postgres, deliveryLimit: 1);
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add(await fixture.Host.ReceiveAsync(Content(300 + i)));
        }

        await fixture.DrainOutboxAsync();
        var noClamd = PrivateServices.FreeLoopbackPort();
        var queue = fixture.Rabbit.Queue;

        // Act: each worker takes every message (the ledger says processing, none left ready), then is killed.
        for (var kill = 1; kill <= 2; kill++)
        {
            using var worker = fixture.StartWorker(
                "--ClamAV:Enabled=true",
                "--ClamAV:Host=127.0.0.1",
                $"--ClamAV:Port={noClamd}");
            var holding = await fixture.AllInStateAsync(ids, UploadState.Processing, Timeout)
                && await DeadLetters.CountIsAsync(fixture.Rabbit, queue, 0);
            Assert.True(holding, $"worker {kill} did not take every message; worker output:\n" + fixture.WorkerLog());
            worker.KillHard();
            var back = kill == 1
                ? await DeadLetters.CountIsAsync(fixture.Rabbit, queue, 4)
                : await DeadLetters.CountIsAsync(fixture.Rabbit, fixture.Rabbit.DeadLetterQueue, 4);
            Assert.True(back, $"the messages of killed worker {kill} did not return or were not dead-lettered");
        }

        var afterKills = await Task.WhenAll(ids.Select(fixture.Host.GetAsync));
        using var last = fixture.StartWorker("--RabbitMq:Redrive:Delay=00:00:01");
        var settled = await fixture.AllSettledAsync(ids, SettleTimeout);

        // Assert: dead-lettered with the ledger saying processing, then redriven once each and processed.
        Assert.All(afterKills, upload => Assert.Equal(UploadState.Processing, upload.State));
        Assert.True(settled, "uploads were left unprocessed; worker output:\n" + fixture.WorkerLog());
        Assert.All(await Task.WhenAll(ids.Select(fixture.Host.GetAsync)), upload => Assert.True(
            upload.State == UploadState.Available,
            $"upload {upload.UploadId} ended {upload.State}: {upload.FailureReason}"));
        Assert.Equal(4, Regex.Count(fixture.WorkerLog(), "\"EventId\":\\{\"Id\":4633"));
        Assert.Equal(0u, await RabbitMqTestBroker.MessageCountAsync(fixture.Rabbit, fixture.Rabbit.DeadLetterQueue));
        Assert.Equal(0u, await RabbitMqTestBroker.MessageCountAsync(fixture.Rabbit, fixture.Rabbit.ParkingQueue));
        Assert.Equal(0u, await RabbitMqTestBroker.MessageCountAsync(fixture.Rabbit, queue));
    }

    private static byte[] Content(int seed)
    {
        var content = new byte[64 * 1024];
        new Random(seed).NextBytes(content);
        return content;
    }
}
