using System.Globalization;
using System.Net;
using TusUpload.Pipeline.IntegrationTests.Embedded;
using TusUpload.Pipeline.Ledger;

namespace TusUpload.Pipeline.IntegrationTests.Faults;

public sealed class BrokerOutageTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    // The embedded default and production's database: server and worker processes share the ledger either way.
    [Theory]
    [InlineData(LedgerKinds.Sqlite)]
    [InlineData(LedgerKinds.Postgres)]
    public async Task Broker_stopped_during_500_completions_keeps_uploads_succeeding_and_processes_each_exactly_once(
        string ledgerKind)
    {
        // Arrange: a private broker this test may stop, the real server relaying to it, one real worker.
        await using var ledger = await FaultLedger.CreateAsync(ledgerKind);
        await using var broker = await PrivateServices.StartRabbitMqAsync();
        var rabbit = $"--RabbitMq:Uri={broker.RabbitMqUri}";
        await using var server = await EmbeddedServerProcess.StartAsync([
            "--Pipeline:Queue=rabbitmq",
            "--Worker:InProcess=false",
            "--Pipeline:RelayMaxBackoff=00:00:02",
            "--RabbitMq:ReconnectDelay=00:00:00.500",
            rabbit,
            .. ledger.Arguments,
        ]);
        using var worker = WorkerProcess.Start(server.Folder, Path.Combine(server.Folder, "worker.log"), [
            $"--Store:Disk:Path={Path.Combine(server.Folder, "uploads")}",
            rabbit,
            "--RabbitMq:ReconnectDelay=00:00:00.500",
            "--Worker:MetricsPort=0",
            "--Serilog:MinimumLevel:Default=Warning",
            .. ledger.Arguments,
        ]);
        var contents = Enumerable.Range(0, 50).Select(Content).ToArray();

        // Act: 100 completions, broker stopped, 400 more, backlog measured, broker back.
        var ids = new List<string>(await UploadManyAsync(server.Client, contents, 0, 100));
        await broker.StopAsync();
        ids.AddRange(await UploadManyAsync(server.Client, contents, 100, 400));
        var backlog = await ledger.CountAsync("SELECT count(*) FROM ledger_outbox WHERE sent_at IS NULL");
        await broker.StartAsync();
        var settled = await AllProcessedAsync(ledger, 500, TimeSpan.FromSeconds(180));

        // Assert
        Assert.Equal(500, ids.Distinct().Count());
        Assert.True(backlog >= 300, $"the outbox held only {backlog} unsent rows while the broker was down");
        Assert.True(settled, "not every upload was processed after the broker returned:\n" + server.Output);
        Assert.Equal(500, await ledger.CountAsync(
            "SELECT count(*) FROM ledger_outbox WHERE sent_at IS NOT NULL"));
        Assert.Equal(500, await ledger.CountAsync(
            "SELECT count(*) FROM ledger_uploads WHERE state IN ('available', 'duplicate')"));
        Assert.Equal(0, await ledger.CountAsync(
            "SELECT count(*) FROM (SELECT upload_id FROM ledger_audit WHERE to_state IN ('available', 'duplicate') "
            + "GROUP BY upload_id HAVING count(*) <> 1) AS repeated"));
        Assert.Equal(500, await ledger.CountAsync(
            "SELECT count(*) FROM ledger_audit WHERE to_state IN ('available', 'duplicate')"));
        Assert.Equal(500, await ledger.CountAsync("SELECT sum(reference_count) FROM ledger_blobs"));
        Assert.Equal(50, await ledger.CountAsync("SELECT count(*) FROM ledger_blobs"));
        Assert.Equal(50, Directory.EnumerateFiles(
            Path.Combine(server.Folder, "uploads", "blobs"), "*", SearchOption.AllDirectories).Count());
    }

    private static async Task<List<string>> UploadManyAsync(HttpClient client, byte[][] contents, int first, int count)
    {
        var ids = new string[count];
        await Parallel.ForAsync(
            0,
            count,
            new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, _) => ids[i] = await UploadAsync(client, contents[(first + i) % contents.Length]));
        return [.. ids];
    }

    // One POST with the whole body (creation-with-upload): the upload completes in the request.
    private static async Task<string> UploadAsync(HttpClient client, byte[] content)
    {
        using var created = await TusRequests.CreateWithUploadAsync(client, content);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(
            content.Length.ToString(CultureInfo.InvariantCulture),
            TusRequests.Header(created, "Upload-Offset"));
        return created.Headers.Location!.Segments[^1];
    }

    private static async Task<bool> AllProcessedAsync(FaultLedger ledger, int expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var done = await ledger.CountAsync(
                "SELECT count(*) FROM ledger_uploads "
                + "WHERE state NOT IN ('created', 'receiving', 'received', 'processing')");
            if (done >= expected)
            {
                return true;
            }

            await Task.Delay(500);
        }

        return false;
    }

    private static byte[] Content(int seed)
    {
        var content = new byte[4096];
        new Random(seed).NextBytes(content);
        return content;
    }
}
