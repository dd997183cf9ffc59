using System.Globalization;
using System.Net;
using Microsoft.Data.Sqlite;
using TusUpload.Server.IntegrationTests.Harness;

namespace TusUpload.Server.IntegrationTests.Recovery;

/// <summary>
/// The embedded ledger unavailable while uploads go on: another process (this test) holds SQLite's write lock on the
/// server's ledger file, so the server's ledger writes fail after its one-second busy timeout. A creation or a
/// completion that cannot be recorded must answer a retryable 503, keep the stored bytes, and record the upload
/// exactly once when the client retries after the ledger is back.
/// </summary>
[Collection(DiskCollection.Name)]
public sealed class LedgerOutageTests(DiskServers servers) : IAsyncLifetime
{
    private readonly string _workDirectory = TusServers.NewWorkDirectory();

    private TusServerProcess? _server;

    private TusClient? _client;

    private string LedgerPath => Path.Combine(_workDirectory, "ledger.db");

    private TusClient Client => _client!;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string>(TusServers.MainSettings)
        {
            ["Ledger:Path"] = LedgerPath,
            ["Ledger:BusyTimeout"] = "00:00:01",
        };
        _server = await servers.StartServerAsync(settings, _workDirectory);
        _client = new TusClient(_server);
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_creation_the_ledger_cannot_record_answers_a_retryable_503_and_the_retry_creates_the_upload()
    {
        HttpResponseMessage refused;
        await using (await HoldLedgerWriteLockAsync())
        {
            refused = await Client.PostAsync(5);
        }

        using var retried = await Client.PostAsync(5);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("1", TusClient.Header(refused, "Retry-After"));
        Assert.Equal("1.0.0", TusClient.Header(refused, "Tus-Resumable"));
        Assert.Equal("The upload could not be registered; retry.\n", await refused.Content.ReadAsStringAsync());
        Assert.Null(refused.Headers.Location);
        refused.Dispose();
        await AssertRefusedBecauseLockedAsync();
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        var id = TusClient.IdOf(retried.Headers.Location!);
        Assert.Equal(["created"], await AuditStatesAsync(id));
    }

    [Fact]
    public async Task A_completion_the_ledger_cannot_record_keeps_the_bytes_and_is_recorded_once_by_the_retry()
    {
        var body = TusClient.RandomBytes(300_000);
        var upload = await Client.CreateAsync(body.Length);
        var id = TusClient.IdOf(upload);

        HttpResponseMessage refused;
        long? offsetDuringOutage;
        await using (await HoldLedgerWriteLockAsync())
        {
            refused = await Client.PatchAsync(upload, 0, body);
            offsetDuringOutage = await Client.OffsetAsync(upload);
        }

        // tus-js-client's retry of a final PATCH that failed: HEAD, then an empty PATCH at the stored offset.
        using var retried = await Client.PatchAsync(upload, body.Length, []);
        using var again = await Client.PatchAsync(upload, body.Length, []);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("1", TusClient.Header(refused, "Retry-After"));
        Assert.Equal(
            "The upload is stored but its completion could not be recorded; retry.\n",
            await refused.Content.ReadAsStringAsync());
        refused.Dispose();
        await AssertRefusedBecauseLockedAsync();
        Assert.Equal(body.Length, offsetDuringOutage);
        Assert.Equal(HttpStatusCode.NoContent, retried.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        Assert.Equal(
            body.Length.ToString(CultureInfo.InvariantCulture),
            TusClient.Header(retried, "Upload-Offset"));
        Assert.Equal(1, await OutboxRowsAsync(id));
        Assert.Equal(1, (await AuditStatesAsync(id)).Count(state => state == "received"));
        Assert.Equal(TusClient.Sha256(body), TusClient.Sha256(await Client.DownloadAsync(upload)));
    }

    /// <summary>
    /// The 503s come from catch-alls (any ledger exception, a timeout included): pins that the cause was the held
    /// lock, SQLite's busy error, and not some other failure that the retry happened to outlast.
    /// </summary>
    private async Task AssertRefusedBecauseLockedAsync()
    {
        var busy = await _server!.WaitForLogLinesAsync(
            1,
            TimeSpan.FromSeconds(5),
            "SQLite Error 5",
            "database is locked");
        Assert.True(busy >= 1, "The server logged no SQLITE_BUSY failure:\n" + _server.Output);
    }

    /// <summary>
    /// Takes SQLite's write lock on the server's ledger from this process (as a backup or a second writer would)
    /// with a <c>BEGIN IMMEDIATE</c> held until the returned connection is disposed, which rolls it back.
    /// </summary>
    private async Task<SqliteConnection> HoldLedgerWriteLockAsync()
    {
        var connection = new SqliteConnection($"Data Source={LedgerPath};Pooling=False");
        await connection.OpenAsync();
        connection.BeginTransaction(deferred: false);
        return connection;
    }

    private async Task<List<string>> AuditStatesAsync(string uploadId)
    {
        var states = new List<string>();
        await using var connection = await OpenReadOnlyAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT to_state FROM ledger_audit WHERE upload_id = $id ORDER BY id";
        command.Parameters.AddWithValue("$id", uploadId);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            states.Add(reader.GetString(0));
        }

        return states;
    }

    private async Task<long> OutboxRowsAsync(string uploadId)
    {
        await using var connection = await OpenReadOnlyAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM ledger_outbox WHERE upload_id = $id";
        command.Parameters.AddWithValue("$id", uploadId);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<SqliteConnection> OpenReadOnlyAsync()
    {
        var connection = new SqliteConnection($"Data Source={LedgerPath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        return connection;
    }
}
