using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using static TusUpload.Pipeline.IntegrationTests.Embedded.TusRequests;

namespace TusUpload.Pipeline.IntegrationTests.Embedded;

/// <summary>
/// The ledger failing under a running server (its table made unreachable, then restored): creation and completion
/// answer a retryable 503 with a one-line reason and keep the bytes; the status endpoint a 503 ProblemDetails;
/// HEAD still answers; once the ledger is back
/// the client's retry of its final PATCH records the completion exactly once. On PostgreSQL and on the embedded
/// SQLite ledger alike; the SQLite file is changed by another connection, as a tool or an operator would. (A lock
/// held on it would not do for the status: in WAL mode reads go on beside another process's write lock.)
/// </summary>
public sealed class LedgerOutageTests
{
    [Fact]
    public async Task A_ledger_outage_answers_503_loses_no_bytes_and_a_retry_completes_once()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using var server = await EmbeddedServerProcess.StartAsync(
            "--Ledger:Kind=postgres",
            $"--Postgres:ConnectionString={database.ConnectionString}");

        await AssertOutageAnswers503AndRetryCompletesOnceAsync(server, database.ExecuteAsync, database.CountAsync);
    }

    [Fact]
    public async Task An_embedded_sqlite_ledger_outage_answers_503_loses_no_bytes_and_a_retry_completes_once()
    {
        await using var server = await EmbeddedServerProcess.StartAsync();

        await AssertOutageAnswers503AndRetryCompletesOnceAsync(
            server,
            sql => ExecuteOnLedgerFileAsync(server, sql),
            sql => CountOnLedgerFileAsync(server, sql));
    }

    private static async Task AssertOutageAnswers503AndRetryCompletesOnceAsync(
        EmbeddedServerProcess server,
        Func<string, Task> execute,
        Func<string, Task<long>> count)
    {
        var content = RandomNumberGenerator.GetBytes(40_000);
        var upload = await CreateAsync(server.Client, content.Length);
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var location = upload.Headers.Location!;

        await execute("ALTER TABLE ledger_uploads RENAME TO ledger_uploads_away");
        using var refusedCreation = await CreateAsync(server.Client, 10);
        using var refusedCompletion = await PatchAsync(server.Client, location, 0, content);
        using var headDuringOutage = await HeadAsync(server.Client, location);
        using var statusDuringOutage = await server.Client
            .GetAsync(new Uri($"uploads/{location.Segments[^1]}/status", UriKind.Relative))
            .WaitAsync(Wait);
        await execute("ALTER TABLE ledger_uploads_away RENAME TO ledger_uploads");
        using var retried = await PatchAsync(server.Client, location, content.Length, []);

        await AssertRetryableAsync(refusedCreation);
        await AssertRetryableAsync(refusedCompletion);
        Assert.Equal(HttpStatusCode.OK, headDuringOutage.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, statusDuringOutage.StatusCode);
        Assert.Equal("application/problem+json", statusDuringOutage.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(statusDuringOutage.Headers.RetryAfter);
        Assert.Equal(content.Length.ToString(CultureInfo.InvariantCulture), Header(headDuringOutage, "Upload-Offset"));
        Assert.Equal(HttpStatusCode.NoContent, retried.StatusCode);
        var uploadId = location.Segments[^1];
        Assert.Equal("available", (await server.SettledStatusAsync(uploadId, Wait)).State);
        Assert.Equal(content, await server.Client.GetByteArrayAsync(location).WaitAsync(Wait));
        Assert.Equal(1, await count(
            $"SELECT COUNT(*) FROM ledger_audit WHERE upload_id = '{uploadId}' AND to_state = 'received'"));
    }

    /// <summary>Runs <paramref name="sql"/> on the server's SQLite ledger, on a connection of the test's own.</summary>
    private static async Task ExecuteOnLedgerFileAsync(EmbeddedServerProcess server, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={server.LedgerPath};Pooling=False");
        await connection.OpenAsync().WaitAsync(Wait);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync().WaitAsync(Wait);
    }

    private static async Task<long> CountOnLedgerFileAsync(EmbeddedServerProcess server, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={server.LedgerPath};Pooling=False");
        await connection.OpenAsync().WaitAsync(Wait);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync().WaitAsync(Wait))!;
    }

    private static async Task AssertRetryableAsync(HttpResponseMessage response)
    {
        var reason = await response.Content.ReadAsStringAsync().WaitAsync(Wait);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Matches(@"^[^\r\n]+\n$", reason);
        Assert.Equal("1.0.0", Header(response, "Tus-Resumable"));
    }
}
