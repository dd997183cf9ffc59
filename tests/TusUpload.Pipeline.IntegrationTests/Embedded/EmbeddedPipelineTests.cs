using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using TusUpload.Pipeline.Status;

namespace TusUpload.Pipeline.IntegrationTests.Embedded;

/// <summary>
/// The embedded default end to end: the real server process with SQLite and the in-process queue, driven with plain
/// tus requests. The same file uploaded twice ends as one blob referenced twice, and both downloads are the file.
/// </summary>
public sealed class EmbeddedPipelineTests
{
    private static readonly TimeSpan Wait = TusRequests.Wait;

    [Fact]
    public async Task Same_file_uploaded_twice_ends_available_and_duplicate_with_one_blob_counted_twice()
    {
        await using var server = await EmbeddedServerProcess.StartAsync();
        var content = RandomNumberGenerator.GetBytes(300 * 1024 + 7);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(content));

        var first = await UploadAsync(server.Client, content);
        var second = await UploadAsync(server.Client, content);
        var statuses = new[] { await SettledStatusAsync(server, first), await SettledStatusAsync(server, second) };

        Assert.Equal(["available", "duplicate"], statuses.Select(s => s.State).Order().ToArray());
        Assert.All(statuses, s => Assert.Equal(
            (sha256, content.LongLength, "unscanned", true),
            (s.Sha256, s.Length, s.Verdict, s.Downloadable)));
        Assert.Equal((1L, 2L), await BlobRowsAsync(server.LedgerPath));
        foreach (var uploadId in new[] { first, second })
        {
            Assert.Equal(content, await DownloadAsync(server.Client, uploadId));
            Assert.Equal(
                statuses.Single(s => s.Id == uploadId).State,
                await ProcessingHeaderAsync(server.Client, uploadId));
        }
    }

    [Fact]
    public async Task Deleting_both_uploads_of_one_content_frees_the_blob_only_with_the_last_one()
    {
        await using var server = await EmbeddedServerProcess.StartAsync();
        var content = RandomNumberGenerator.GetBytes(16 * 1024 + 3);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(content));
        var blobPath = Path.Combine(server.Folder, "uploads", "blobs", sha256[..2], sha256);
        var first = await UploadAsync(server.Client, content);
        var second = await UploadAsync(server.Client, content);
        await SettledStatusAsync(server, first);
        await SettledStatusAsync(server, second);
        Assert.True(File.Exists(blobPath), $"No blob at {blobPath}");

        Assert.Equal(HttpStatusCode.NoContent, await DeleteAsync(server.Client, first));
        var afterFirst = (File.Exists(blobPath), await BlobRowsAsync(server.LedgerPath));
        Assert.Equal(HttpStatusCode.NoContent, await DeleteAsync(server.Client, second));
        var afterSecond = (File.Exists(blobPath), await BlobRowsAsync(server.LedgerPath));

        Assert.Equal((true, (1L, 1L)), afterFirst);
        Assert.Equal((false, (0L, 0L)), afterSecond);
        Assert.Contains($"last reference of blob {sha256}; deleted", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_on_the_postgres_ledger_deduplicates_the_same_way()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using var server = await EmbeddedServerProcess.StartAsync(
            "--Ledger:Kind=postgres",
            $"--Postgres:ConnectionString={database.ConnectionString}");
        var content = RandomNumberGenerator.GetBytes(64 * 1024);

        var first = await UploadAsync(server.Client, content);
        var second = await UploadAsync(server.Client, content);
        var statuses = new[] { await SettledStatusAsync(server, first), await SettledStatusAsync(server, second) };

        Assert.Equal(["available", "duplicate"], statuses.Select(s => s.State).Order().ToArray());
        Assert.Equal((1L, 2L), await database.BlobRowsAsync());
        Assert.Equal(content, await DownloadAsync(server.Client, second));
    }

    [Theory]
    [InlineData("--Ledger:Kind=mongo", "Ledger:Kind")]
    [InlineData("--Ledger:SentOutboxRetention=-1.00:00:00", "Ledger:SentOutboxRetention must be more than zero")]
    [InlineData("--Pipeline:Queue=kafka", "Pipeline:Queue")]
    [InlineData("--Worker:InProcess=false", "Worker:InProcess")]
    [InlineData("--Tus:MaxSize=-1", "Tus:MaxSize")]
    [InlineData("--Worker:ReadBufferSize=1", "Worker:ReadBufferSize")]
    [InlineData("--Tus:TrustedProxies:0=10.0.0.1/8", "has bits set past its prefix length")]
    [InlineData("--Tus:MaxSize=abc", "'abc' at 'Tus:MaxSize' to type 'System.Int64'. abc is not a valid value")]
    [InlineData("--Ledger:SentOutboxRetention=garbage", "'garbage' at 'Ledger:SentOutboxRetention'")]
    [InlineData("--urls=http://127.0.0.1:abc", "Urls entry 'http://127.0.0.1:abc' is not an http:// or https:// URL")]
    [InlineData("--Store:Kind=bogus", "Store:Kind 'bogus' is unknown")]
    [InlineData("--Logging:Format=xml", "Logging:Format must be 'text' or 'json'")]
    [InlineData("--Logging:LogLevel:Default=Nonsense", "Logging:LogLevel:Default must be one of Trace, Debug")]
    [InlineData("--Logging:LogLevel:TusUpload=42", "Logging:LogLevel:TusUpload must be one of")]
    [InlineData("--Tus:BasePath=/a?/", "Tus:BasePath must")]
    [InlineData("--Tus:SweepInterval=00:00:00.0001", "Tus:SweepInterval must be at least 00:00:00.0010000")]
    [InlineData("--Tus:CommitTimeout=00:00:00.001", "Tus:CommitTimeout must be at least 00:00:01 (")]
    [InlineData("--Pipeline:RelayMaxBackoff=60.00:00:00", "Pipeline:RelayMaxBackoff must be at most 01:00:00")]
    public async Task Server_refuses_to_start_with_a_bad_setting_naming_it_without_a_stack_trace(
        string setting,
        string named)
    {
        var (exitCode, output) = await EmbeddedServerProcess.RunToExitAsync(setting);

        Assert.Equal(2, exitCode);
        Assert.Contains("Invalid configuration: ", output, StringComparison.Ordinal);
        Assert.Contains(named, output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_terminated_final_is_not_made_again_by_the_same_request_but_another_key_makes_a_new_one()
    {
        await using var server = await EmbeddedServerProcess.StartAsync();
        var first = RandomNumberGenerator.GetBytes(3000);
        var second = RandomNumberGenerator.GetBytes(5000);
        var partials = $"final;{await PartialAsync(server.Client, first)} {await PartialAsync(server.Client, second)}";

        using var created = await FinalAsync(server.Client, partials, idempotencyKey: null);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var finalId = created.Headers.Location!.Segments[^1];
        await SettledStatusAsync(server, finalId);
        Assert.Equal(HttpStatusCode.NoContent, await DeleteAsync(server.Client, finalId));

        // The same request names the same final: made again, it was complete, unprocessed and never downloadable.
        using var again = await FinalAsync(server.Client, partials, idempotencyKey: null);
        using var headed = await TusRequests.HeadAsync(server.Client, UploadUri(finalId));

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.StartsWith(
            $"Final upload {finalId} existed and is terminated;",
            await again.Content.ReadAsStringAsync(),
            StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, headed.StatusCode);

        using var renewed = await FinalAsync(server.Client, partials, idempotencyKey: "second-attempt");
        Assert.Equal(HttpStatusCode.Created, renewed.StatusCode);
        var renewedId = renewed.Headers.Location!.Segments[^1];
        Assert.NotEqual(finalId, renewedId);
        Assert.Equal("available", (await SettledStatusAsync(server, renewedId)).State);
        var downloaded = await DownloadAsync(server.Client, renewedId);
        Assert.Equal(first.Concat(second).ToArray(), downloaded);
    }

    [Fact]
    public async Task Server_whose_address_is_taken_says_so_in_one_line_and_exits_1()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        // The last --urls wins over the one the launcher picked.
        var (exitCode, output) = await EmbeddedServerProcess.RunToExitAsync("--urls", $"http://127.0.0.1:{port}");

        Assert.Equal(1, exitCode);
        Assert.Contains(
            $"Cannot start: Failed to bind to address http://127.0.0.1:{port}",
            output,
            StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("BackgroundService failed", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Hosting failed to start", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_whose_postgres_ledger_database_does_not_exist_says_so_in_one_line_and_exits_1()
    {
        // The test PostgreSQL answers, but for a database that is not there: a setting to fix, not an outage.
        var testPostgres = Environment.GetEnvironmentVariable("TUS_TEST_POSTGRES");
        Assert.False(string.IsNullOrWhiteSpace(testPostgres), "TUS_TEST_POSTGRES is not set: run scripts/test.sh.");
        var missing = $"tus_missing_{Guid.NewGuid():N}";
        var database = new Npgsql.NpgsqlConnectionStringBuilder(testPostgres) { Database = missing };

        var (exitCode, output) = await EmbeddedServerProcess.RunToExitAsync(
            "--Ledger:Kind=postgres",
            $"--Postgres:ConnectionString={database.ConnectionString}");

        Assert.Equal(1, exitCode);
        var refusal = Assert.Single(
            output.Split('\n'),
            line => line.Contains("Cannot start", StringComparison.Ordinal));
        Assert.Equal($"Cannot start: the database refused: 3D000: database \"{missing}\" does not exist", refusal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Hosting failed to start", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_of_unknown_or_malformed_ids_is_404_problem_details()
    {
        await using var server = await EmbeddedServerProcess.StartAsync();

        using var unknown = await GetAsync(server.Client, $"uploads/{new string('a', 32)}/status");
        using var malformed = await GetAsync(server.Client, "uploads/..%2F..%2Fetc/status");

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, malformed.StatusCode);
    }

    private static Task<byte[]> DownloadAsync(HttpClient client, string uploadId) =>
        client.GetByteArrayAsync(UploadUri(uploadId)).WaitAsync(Wait);

    private static async Task<HttpStatusCode> DeleteAsync(HttpClient client, string uploadId)
    {
        using var response = await TusRequests.DeleteAsync(client, UploadUri(uploadId));
        return response.StatusCode;
    }

    private static Task<HttpResponseMessage> GetAsync(HttpClient client, string path) =>
        client.GetAsync(new Uri(path, UriKind.Relative)).WaitAsync(Wait);

    private static async Task<string> UploadAsync(HttpClient client, byte[] content)
    {
        using var created = await TusRequests.CreateAsync(client, content.Length);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var location = created.Headers.Location!;

        // Two PATCHes, so that the upload passes through "receiving" as a real client's would.
        var half = content.Length / 2;
        await PatchAsync(client, location, content[..half], 0);
        await PatchAsync(client, location, content[half..], half);
        return location.Segments[^1];
    }

    /// <summary>A complete partial upload of <paramref name="content"/>; returns its path for a final's list.</summary>
    private static async Task<string> PartialAsync(HttpClient client, byte[] content)
    {
        using var created = await TusRequests.CreateAsync(client, content.Length, ("Upload-Concat", "partial"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        await PatchAsync(client, created.Headers.Location!, content, 0);
        return created.Headers.Location!.AbsolutePath;
    }

    private static Task<HttpResponseMessage> FinalAsync(HttpClient client, string concat, string? idempotencyKey) =>
        idempotencyKey is null
            ? TusRequests.CreateAsync(client, null, ("Upload-Concat", concat))
            : TusRequests.CreateAsync(client, null, ("Upload-Concat", concat), ("Idempotency-Key", idempotencyKey));

    private static async Task PatchAsync(HttpClient client, Uri location, byte[] body, int offset)
    {
        using var patched = await TusRequests.PatchAsync(client, location, offset, body);
        Assert.Equal(HttpStatusCode.NoContent, patched.StatusCode);
    }

    private static Task<UploadStatusResponse> SettledStatusAsync(EmbeddedServerProcess server, string uploadId) =>
        server.SettledStatusAsync(uploadId, Wait);

    private static async Task<string?> ProcessingHeaderAsync(HttpClient client, string uploadId)
    {
        using var response = await TusRequests.HeadAsync(client, UploadUri(uploadId));
        return TusRequests.Header(response, "Upload-Processing-State");
    }

    private static Uri UploadUri(string uploadId) => new($"files/{uploadId}", UriKind.Relative);

    private static async Task<(long Blobs, long References)> BlobRowsAsync(string ledgerPath)
    {
        await using var connection = new SqliteConnection($"Data Source={ledgerPath};Mode=ReadOnly");
        await connection.OpenAsync().WaitAsync(Wait);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*), COALESCE(SUM(reference_count), 0) FROM ledger_blobs";
        await using var reader = await command.ExecuteReaderAsync().WaitAsync(Wait);
        Assert.True(await reader.ReadAsync());
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
