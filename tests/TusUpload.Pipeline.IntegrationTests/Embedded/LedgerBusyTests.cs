using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using TusUpload.Pipeline.IntegrationTests.Ledger;
using static TusUpload.Pipeline.IntegrationTests.Embedded.TusRequests;

namespace TusUpload.Pipeline.IntegrationTests.Embedded;

/// <summary>
/// Another process holding the SQLite ledger's write lock (a backup, a separate worker) makes a creation answer a
/// retryable 503 within about twice <c>Ledger:BusyTimeout</c>, instead of hanging past the proxies in front; a
/// completion answers 503 with its bytes kept, and a DELETE answers 503 too; their retries record what the first
/// could not, once.
/// </summary>
public sealed class LedgerBusyTests
{
    [Fact]
    public async Task A_creation_behind_a_foreign_lock_on_the_ledger_answers_503_promptly_and_works_once_it_is_gone()
    {
        await using var server = await EmbeddedServerProcess.StartAsync("--Ledger:BusyTimeout=00:00:01");
        using var client = ClientOf(server);

        HttpStatusCode busy;
        await using (await ForeignWriteLock.TakeAsync(server.LedgerPath))
        {
            // Within the client's 20 s; before the busy timeout was bounded this took about 60 s.
            using var refused = await CreateAsync(client, 10);
            busy = refused.StatusCode;
            Assert.NotNull(refused.Headers.RetryAfter);
        }

        using var created = await CreateAsync(client, 10);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, busy);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Fact]
    public async Task A_creation_that_cannot_be_registered_answers_503_and_leaves_nothing_in_the_store()
    {
        // Arrange: the 503 carries no URL, so an upload left in the store could only wait for its expiry.
        await using var server = await EmbeddedServerProcess.StartAsync("--Ledger:BusyTimeout=00:00:01");
        using var client = ClientOf(server);
        var uploads = Path.Combine(server.Folder, "uploads");
        var before = StoredFiles(uploads);

        // Act
        HttpStatusCode refused;
        await using (await ForeignWriteLock.TakeAsync(server.LedgerPath))
        {
            using var response = await CreateAsync(client, 10);
            refused = response.StatusCode;
        }

        const string Removed = "could not be registered, so its creation was refused";
        var logged = await Outbox.RelayHarness.EventuallyAsync(
            () => server.Output.Contains(Removed, StringComparison.Ordinal),
            TimeSpan.FromSeconds(10));

        // Assert: refused as before, its data removed at once, and the removal logged.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused);
        Assert.Equal(before, StoredFiles(uploads));
        Assert.True(logged, "the removal was not logged:\n" + server.Output);
    }

    [Fact]
    public async Task A_completion_behind_a_foreign_lock_keeps_its_bytes_and_the_retry_records_it_once()
    {
        await using var server = await EmbeddedServerProcess.StartAsync("--Ledger:BusyTimeout=00:00:01");
        using var client = ClientOf(server);
        var content = RandomNumberGenerator.GetBytes(300_000);
        using var created = await CreateAsync(client, content.Length);
        var upload = created.Headers.Location!;

        HttpStatusCode first;
        string reason;
        string? offsetDuringLock;
        await using (await ForeignWriteLock.TakeAsync(server.LedgerPath))
        {
            using var refused = await PatchAsync(client, upload, 0, content);
            first = refused.StatusCode;
            reason = await refused.Content.ReadAsStringAsync();
            Assert.NotNull(refused.Headers.RetryAfter);
            using var head = await HeadAsync(client, upload);
            offsetDuringLock = Header(head, "Upload-Offset");
        }

        // tus-js-client's retry of a final PATCH that failed: an empty PATCH at the offset HEAD reported.
        using var retried = await PatchAsync(client, upload, content.Length, []);
        using var again = await PatchAsync(client, upload, content.Length, []);
        var uploadId = upload.Segments[^1];

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first);
        Assert.Equal("The upload is stored but its completion could not be recorded; retry.\n", reason);
        Assert.Contains("database is locked", server.Output, StringComparison.Ordinal);
        Assert.Equal(content.Length.ToString(CultureInfo.InvariantCulture), offsetDuringLock);
        Assert.Equal(HttpStatusCode.NoContent, retried.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        Assert.Equal("available", (await server.SettledStatusAsync(uploadId, TimeSpan.FromSeconds(30))).State);
        Assert.Equal(content, await client.GetByteArrayAsync(upload));
        Assert.Equal(1, CountReceived(server, uploadId));
    }

    [Fact]
    public async Task A_delete_whose_record_is_locked_out_answers_503_and_its_retry_records_the_termination()
    {
        await using var server = await EmbeddedServerProcess.StartAsync("--Ledger:BusyTimeout=00:00:01");
        using var client = ClientOf(server);
        using var created = await CreateAsync(client, 10);
        var upload = created.Headers.Location!;

        HttpStatusCode first;
        await using (await ForeignWriteLock.TakeAsync(server.LedgerPath))
        {
            using var refused = await DeleteAsync(client, upload);
            first = refused.StatusCode;
            Assert.Equal(
                "The upload's data is gone but its termination could not be recorded; retry the DELETE.",
                (await refused.Content.ReadAsStringAsync()).Trim());
        }

        using var retried = await DeleteAsync(client, upload);
        using var again = await DeleteAsync(client, upload);
        var status = await client.GetStringAsync(new Uri($"uploads/{upload.Segments[^1]}/status", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first);
        Assert.Equal(HttpStatusCode.NoContent, retried.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Contains("\"state\":\"terminated\"", status, StringComparison.Ordinal);
    }

    private static HttpClient ClientOf(EmbeddedServerProcess server) => new()
    {
        BaseAddress = server.Client.BaseAddress,
        Timeout = TimeSpan.FromSeconds(20),
    };

    /// <summary>The upload's "received" transitions in the ledger's audit trail: exactly one per completion.</summary>
    private static long CountReceived(EmbeddedServerProcess server, string uploadId)
    {
        using var reader = new SqliteConnection($"Data Source={server.LedgerPath};Mode=ReadOnly;Pooling=False");
        reader.Open();
        using var count = reader.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM ledger_audit WHERE upload_id = $id AND to_state = 'received'";
        count.Parameters.AddWithValue("$id", uploadId);
        return (long)count.ExecuteScalar()!;
    }

    // Every file and folder under the store's folder, which holds each upload's files.
    private static List<string> StoredFiles(string folder) => Directory.Exists(folder)
        ? Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Order().ToList()
        : [];
}
