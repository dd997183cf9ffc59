using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using TusUpload.Protocol;
using TusUpload.Protocol.Lifecycle;
using TusUpload.Protocol.Storage;
using TusUpload.Server;
using static TusUpload.Pipeline.IntegrationTests.Ledger.LedgerTestData;

namespace TusUpload.Pipeline.IntegrationTests.Ledger;

/// <summary>
/// The SQLite ledger's one write connection is not pooled and lives as long as the ledger, so only the host's stop
/// (which disposes the ledger with the other services) closes its file handle. Checked in this process, with the
/// server's own registrations, by the handles on the ledger file that <c>/proc/self/fd</c> lists: pooled read
/// connections are closed by clearing the pools first, so what stays open is the writer's.
/// </summary>
public sealed class SqliteLedgerStopTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tus-ledger-stop-").FullName;

    private string LedgerPath => Path.Combine(_folder, "ledger.db");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Stopping_the_server_host_closes_the_ledger_files_write_connection()
    {
        var app = BuildServer();
        int whileRunning;
        try
        {
            await app.StartAsync().WaitAsync(Wait);

            // A creation as the server records it: a write, so it runs on the write connection.
            var lifecycle = app.Services.GetRequiredService<IUploadLifecycle>();
            var upload = new UploadInfo { Id = NewUploadId(), Length = 10 };
            await lifecycle.CreatedAsync(upload, CancellationToken.None).WaitAsync(Wait);
            SqliteConnection.ClearAllPools();
            whileRunning = OpenHandlesOnLedgerFile();

            await app.StopAsync().WaitAsync(Wait);
        }
        finally
        {
            // What WebApplication.RunAsync does after the stop, as the server's Program runs it.
            await app.DisposeAsync().AsTask().WaitAsync(Wait);
        }

        SqliteConnection.ClearAllPools();
        var afterStop = OpenHandlesOnLedgerFile();

        // SQLite may keep a closed reader's descriptor until the writer's locks on the file go, so more than one.
        Assert.True(whileRunning >= 1, $"the running server held {whileRunning} handles on its ledger file");
        Assert.Equal(0, afterStop);
    }

    /// <summary>The server's host as its Program assembles it, on a loopback port and this test's folder.</summary>
    private WebApplication BuildServer()
    {
        var builder = WebApplication.CreateBuilder([
            "--Urls=http://127.0.0.1:0",
            $"--Store:Disk:Path={Path.Combine(_folder, "uploads")}",
            $"--Ledger:Path={LedgerPath}",
        ]);
        builder.Services.AddTusProtocol(builder.Configuration.GetSection(TusOptions.SectionName));
        builder.AddUploadStore();
        builder.AddUploadLocking();
        builder.AddUploadPipeline();

        var app = builder.Build();
        app.MapTus();
        app.MapUploadStatus();
        return app;
    }

    /// <summary>This process's open descriptors of the ledger file itself, not of its WAL or shared memory.</summary>
    private int OpenHandlesOnLedgerFile()
    {
        var ledger = Path.GetFullPath(LedgerPath);
        var count = 0;
        foreach (var descriptor in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(descriptor).LinkTarget == ledger)
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // Closed between the listing and the look: it holds nothing now.
            }
        }

        return count;
    }
}
