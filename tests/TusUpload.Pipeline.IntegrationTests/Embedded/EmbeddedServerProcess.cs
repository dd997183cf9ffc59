using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using TusUpload.Pipeline.Status;

namespace TusUpload.Pipeline.IntegrationTests.Embedded;

/// <summary>
/// The real server process (<c>TusUpload.Server.dll</c> of the same build configuration) on a loopback port, with
/// its store and ledger in a temporary folder: the embedded default, no external service.
/// </summary>
internal sealed class EmbeddedServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;

    private readonly StringBuilder _output = new();

    private EmbeddedServerProcess(Process process, Uri baseUri, string folder)
    {
        _process = process;
        BaseUri = baseUri;
        Folder = folder;
        Client = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseUri { get; }

    public string Folder { get; }

    public string LedgerPath => Path.Combine(Folder, "ledger.db");

    public HttpClient Client { get; }

    public int ProcessId => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts the server with <paramref name="settings"/> added to its command line and waits until healthy.
    /// </summary>
    public static async Task<EmbeddedServerProcess> StartAsync(params string[] settings)
    {
        var server = Launch(settings);
        await server.WaitUntilHealthyAsync();
        return server;
    }

    /// <summary>Starts the server and waits (bounded) for it to exit, as it must with a bad setting.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(params string[] settings)
    {
        await using var server = Launch(settings);
        using var timeout = new CancellationTokenSource(StartTimeout);
        await server._process.WaitForExitAsync(timeout.Token);

        // The exit event can precede the last redirected lines; a short pause lets them arrive.
        await Task.Delay(200);
        return (server._process.ExitCode, server.Output);
    }

    private static EmbeddedServerProcess Launch(string[] settings)
    {
        var folder = Directory.CreateTempSubdirectory("tus-embedded-").FullName;
        var port = FreeLoopbackPort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] arguments =
        [
            ServerAssembly(), "--urls", $"http://127.0.0.1:{port}",
            $"--Store:Disk:Path={Path.Combine(folder, "uploads")}",
            $"--Ledger:Path={Path.Combine(folder, "ledger.db")}",
            .. settings,
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var server = new EmbeddedServerProcess(process, new Uri($"http://127.0.0.1:{port}/"), folder);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }

        _process.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
    }

    private static string ServerAssembly()
    {
        // Tests run from tests/<project>/bin/<configuration>/net10.0/; the server was built beside them.
        var testDirectory = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = testDirectory.Parent!.Name;
        var root = testDirectory;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "TusUpload.sln")))
        {
            root = root.Parent;
        }

        Assert.True(root is not null, "TusUpload.sln not found above " + AppContext.BaseDirectory);
        var path = Path.Combine(
            root!.FullName, "src", "TusUpload.Server", "bin", configuration, "net10.0", "TusUpload.Server.dll");
        Assert.True(File.Exists(path), $"{path} is missing: build the solution first (scripts/test.sh does).");
        return path;
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>
    /// Polls the status endpoint until processing settled; fails the test after <paramref name="wait"/>.
    /// </summary>
    public async Task<UploadStatusResponse> SettledStatusAsync(string uploadId, TimeSpan wait)
    {
        var deadline = DateTime.UtcNow + wait;
        UploadStatusResponse? status = null;
        while (DateTime.UtcNow < deadline)
        {
            status = await Client
                .GetFromJsonAsync<UploadStatusResponse>(new Uri($"uploads/{uploadId}/status", UriKind.Relative))
                .WaitAsync(wait);
            if (status is { State: "available" or "duplicate" or "failed" or "quarantined" })
            {
                return status;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"Upload {uploadId} is still {status?.State} after {wait}:\n{Output}");
        return null!;
    }

    private async Task WaitUntilHealthyAsync()
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            try
            {
                using var response = await Client.GetAsync(new Uri("healthz", UriKind.Relative))
                    .WaitAsync(TimeSpan.FromSeconds(5));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TimeoutException
                or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        Assert.Fail($"The server did not become healthy within {StartTimeout}:\n{Output}");
    }
}
