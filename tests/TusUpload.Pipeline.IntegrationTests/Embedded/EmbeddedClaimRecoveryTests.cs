using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using TusUpload.Pipeline.Status;

namespace TusUpload.Pipeline.IntegrationTests.Embedded;

/// <summary>
/// The embedded default after a <c>kill -9</c>: the dead server's outbox claims are freed when the next server starts
/// on the same SQLite file, so a completion it had claimed is processed at once, not after the claim lease. A second
/// server started while the first still runs is refused before it frees anything.
/// </summary>
public sealed class EmbeddedClaimRecoveryTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _folder = Directory.CreateTempSubdirectory("tus-claims-").FullName;

    [Fact]
    public async Task Completion_claimed_by_a_killed_server_is_processed_by_the_next_one_well_before_the_lease()
    {
        // The first server's scanner is unreachable, so its worker defers and the outbox row stays claimed.
        string uploadId;
        await using (var first = await StartAsync("--ClamAV:Enabled=true", "--ClamAV:Port=1"))
        {
            uploadId = await UploadAsync(first.Client, [1, 2, 3, 4, 5]);
            await WaitUntilClaimedAsync(uploadId);
        }

        // The killed server's lock files stay behind; only a held lock refuses a start, and the kernel dropped it.
        Assert.True(File.Exists(Path.Combine(_folder, "uploads", ".server.lock")));
        Assert.True(File.Exists(Path.Combine(_folder, "ledger.db.server.lock")));
        var restartedAt = DateTime.UtcNow;
        await using var second = await StartAsync("--ClamAV:Enabled=false");
        var state = await SettledStateAsync(second.Client, uploadId);

        Assert.Equal("available", state);
        Assert.True(DateTime.UtcNow - restartedAt < TimeSpan.FromSeconds(20), "Processing waited for the lease.");
    }

    [Fact]
    public async Task Second_server_on_the_same_data_is_refused_in_one_line_and_frees_none_of_the_first_ones_claims()
    {
        await using var first = await StartAsync("--ClamAV:Enabled=true", "--ClamAV:Port=1");
        var uploadId = await UploadAsync(first.Client, [1, 2, 3, 4, 5]);
        await WaitUntilClaimedAsync(uploadId);

        var (exitCode, output) = await EmbeddedServerProcess.RunToExitAsync(SharedData("--ClamAV:Enabled=false"));

        Assert.Equal(1, exitCode);
        Assert.Contains(
            $"Cannot start: Store:Disk:Path {Path.Combine(_folder, "uploads")} is in use by another TusUpload server "
            + $"(process {first.ProcessId}); one server owns its local data.",
            output,
            StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("outbox claims left by a previous run", output, StringComparison.Ordinal);
        await WaitUntilClaimedAsync(uploadId);
        Assert.NotEqual(uploadId, await UploadAsync(first.Client, [6, 7, 8]));
    }

    [Fact]
    public async Task Second_server_sharing_only_the_sqlite_ledger_is_refused_naming_the_ledger()
    {
        await using var first = await StartAsync();

        // The second keeps the folder the launcher gave it and shares only the ledger.
        var (exitCode, output) = await EmbeddedServerProcess.RunToExitAsync(
            $"--Ledger:Path={Path.Combine(_folder, "ledger.db")}");

        Assert.Equal(1, exitCode);
        Assert.Contains(
            $"Cannot start: Ledger:Path {Path.Combine(_folder, "ledger.db")} is in use by another TusUpload server "
            + $"(process {first.ProcessId})",
            output,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Second_server_given_a_symbolic_link_to_the_sqlite_ledger_is_refused_naming_the_ledger()
    {
        await using var first = await StartAsync();
        var link = Path.Combine(_folder, "link.db");
        File.CreateSymbolicLink(link, Path.Combine(_folder, "ledger.db"));

        // SQLite opens the link's target, so this second server would share the first one's file.
        var (exitCode, output) = await EmbeddedServerProcess.RunToExitAsync($"--Ledger:Path={link}");

        Assert.Equal(1, exitCode);
        Assert.Contains(
            $"Cannot start: Ledger:Path {link} is in use by another TusUpload server (process {first.ProcessId})",
            output,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Lock_file_that_is_a_symbolic_link_is_refused_in_one_line_and_what_it_names_is_left_alone(
        bool targetExists)
    {
        var uploads = Directory.CreateDirectory(Path.Combine(_folder, "uploads")).FullName;
        var target = Path.Combine(_folder, "outside.txt");
        if (targetExists)
        {
            await File.WriteAllTextAsync(target, "not the server's");
        }

        var lockFile = Path.Combine(uploads, ".server.lock");
        File.CreateSymbolicLink(lockFile, target);

        var (exitCode, output) = await EmbeddedServerProcess.RunToExitAsync(SharedData());

        Assert.Equal(2, exitCode);
        Assert.Contains(
            $"Invalid configuration: Store:Disk:Path {uploads} cannot be claimed: {lockFile} is a symbolic link",
            output,
            StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.Equal(targetExists ? "not the server's" : null, File.Exists(target) ? File.ReadAllText(target) : null);
    }

    [Fact]
    public async Task Folder_in_the_place_of_the_ledger_lock_file_is_refused_in_one_line()
    {
        var lockFolder = Directory.CreateDirectory(Path.Combine(_folder, "ledger.db.server.lock")).FullName;

        var (exitCode, output) = await EmbeddedServerProcess.RunToExitAsync(SharedData());

        Assert.Equal(2, exitCode);
        Assert.Contains(
            $"Invalid configuration: Ledger:Path {Path.Combine(_folder, "ledger.db")} cannot be claimed: "
            + $"{lockFolder} is a folder",
            output,
            StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Servers_with_postgres_locking_and_ledger_share_one_disk_folder()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        string[] postgres =
        [
            "--Locking:Kind=postgres",
            "--Ledger:Kind=postgres",
            $"--Postgres:ConnectionString={database.ConnectionString}",
        ];

        await using var first = await StartAsync(postgres);
        await using var second = await StartAsync(postgres);
        var uploadId = await UploadAsync(first.Client, [1, 2, 3]);

        Assert.Equal("available", await SettledStateAsync(second.Client, uploadId));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private Task<EmbeddedServerProcess> StartAsync(params string[] settings) =>
        EmbeddedServerProcess.StartAsync(SharedData(settings));

    // Later command-line values win, so every server shares this test's folder rather than its own.
    private string[] SharedData(params string[] settings) =>
    [
        $"--Store:Disk:Path={Path.Combine(_folder, "uploads")}",
        $"--Ledger:Path={Path.Combine(_folder, "ledger.db")}",
        "--Ledger:OutboxClaimLease=00:05:00",
        .. settings,
    ];

    private async Task WaitUntilClaimedAsync(string uploadId)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < deadline)
        {
            await using var connection = new SqliteConnection($"Data Source={Path.Combine(_folder, "ledger.db")}");
            await connection.OpenAsync().WaitAsync(Wait);
            await using var command = connection.CreateCommand();
            command.CommandText =
                "SELECT COUNT(*) FROM ledger_outbox WHERE upload_id = $id AND claimed_until IS NOT NULL";
            command.Parameters.AddWithValue("$id", uploadId);
            if ((long)(await command.ExecuteScalarAsync().WaitAsync(Wait))! == 1)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"The outbox row of {uploadId} was never claimed.");
    }

    private static async Task<string> UploadAsync(HttpClient client, byte[] content)
    {
        using var created = await TusRequests.CreateWithUploadAsync(client, content);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return created.Headers.Location!.Segments[^1];
    }

    private static async Task<string?> SettledStateAsync(HttpClient client, string uploadId)
    {
        var deadline = DateTime.UtcNow + Wait;
        UploadStatusResponse? status = null;
        while (DateTime.UtcNow < deadline)
        {
            status = await client
                .GetFromJsonAsync<UploadStatusResponse>(new Uri($"uploads/{uploadId}/status", UriKind.Relative))
                .WaitAsync(Wait);
            if (status is { State: "available" or "duplicate" or "failed" or "quarantined" })
            {
                break;
            }

            await Task.Delay(100);
        }

        return status?.State;
    }
}
