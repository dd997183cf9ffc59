using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace TusUpload.Server.IntegrationTests.Harness;

/// <summary>
/// The real server as a child process on a free loopback port:
/// <c>dotnet TusUpload.Server.dll --urls … --Key=Value</c>, started with the given settings, waited for until it
/// answers, and killed (with its process tree) at the end.
/// Its output is kept so tests can look for log lines about an upload.
/// </summary>
public sealed class TusServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private TusServerProcess(Process process, Uri baseAddress, string workDirectory)
    {
        _process = process;
        BaseAddress = baseAddress;
        WorkDirectory = workDirectory;
    }

    public Uri BaseAddress { get; }

    /// <summary>The tus collection, e.g. <c>http://127.0.0.1:PORT/files/</c>.</summary>
    public Uri Files => new(BaseAddress, "/files/");

    /// <summary>Scratch directory owned by this process (its working directory); deleted on dispose.</summary>
    public string WorkDirectory { get; }

    public string Output => string.Join('\n', _output);

    public bool HasExited => _process.HasExited;

    public int ProcessId => _process.Id;

    /// <summary>
    /// For a server that exited on its own: its exit code and the last lines it wrote, so that a test whose request
    /// met a closed port says why the server went rather than only "connection refused".
    /// </summary>
    public string ExitReport()
    {
        var lines = _output.ToArray();
        var tail = string.Join('\n', lines[Math.Max(0, lines.Length - 80)..]);
        return $"The server at {BaseAddress} (pid {_process.Id}) exited with code {_process.ExitCode}; its last "
            + $"{Math.Min(lines.Length, 80)} of {lines.Length} output lines:\n{tail}";
    }

    /// <summary>Starts the server; <paramref name="settings"/> become <c>--Key=Value</c> arguments.</summary>
    public static async Task<TusServerProcess> StartAsync(
        IReadOnlyDictionary<string, string> settings,
        string workDirectory,
        CancellationToken cancellationToken = default)
    {
        var server = Launch(settings, workDirectory);
        try
        {
            await server.WaitUntilAnsweringAsync(cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>
    /// Runs the server until it exits by itself, for a start that must fail: its exit code and its output. One that
    /// still runs after <paramref name="timeout"/> is killed, and the test fails with its output.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(
        IReadOnlyDictionary<string, string> settings,
        string workDirectory,
        TimeSpan timeout)
    {
        await using var server = Launch(settings, workDirectory);
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            // Returns once the redirected output is read to its end as well.
            await server._process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException exception)
        {
            throw new TimeoutException($"The server still ran after {timeout}:\n{server.Output}", exception);
        }

        return (server._process.ExitCode, server.Output);
    }

    private static TusServerProcess Launch(IReadOnlyDictionary<string, string> settings, string workDirectory)
    {
        Directory.CreateDirectory(workDirectory);
        var port = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        var serverDll = ServerAssemblyPath();

        var startInfo = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(serverDll);
        startInfo.ArgumentList.Add("--contentRoot");
        startInfo.ArgumentList.Add(Path.GetDirectoryName(serverDll)!);
        startInfo.ArgumentList.Add("--urls");
        startInfo.ArgumentList.Add(baseAddress.AbsoluteUri.TrimEnd('/'));
        foreach (var (key, value) in settings)
        {
            startInfo.ArgumentList.Add($"--{key}={value}");
        }

        startInfo.Environment["DOTNET_ENVIRONMENT"] = "Production";
        startInfo.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var server = new TusServerProcess(process, baseAddress, workDirectory);
        process.OutputDataReceived += (_, e) => server.Capture(e.Data);
        process.ErrorDataReceived += (_, e) => server.Capture(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Number of output lines that contain every one of <paramref name="parts"/>.</summary>
    public int CountLogLines(params string[] parts) =>
        _output.Count(line => parts.All(part => line.Contains(part, StringComparison.Ordinal)));

    /// <summary>Waits until the output has <paramref name="count"/> matching lines, or the timeout passes.</summary>
    public async Task<int> WaitForLogLinesAsync(int count, TimeSpan timeout, params string[] parts)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (CountLogLines(parts) < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        return CountLogLines(parts);
    }

    /// <summary>Stops the server gracefully (SIGTERM, as an orchestrator would) and waits for it to exit.</summary>
    public async Task StopGracefullyAsync(TimeSpan timeout)
    {
        if (!_process.HasExited && SendSignal(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"Could not signal the server process {_process.Id}.");
        }

        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException exception)
        {
            var tail = string.Join('\n', _output.TakeLast(40));
            throw new TimeoutException(
                $"The server did not exit within {timeout} of SIGTERM. Its last output:\n{tail}",
                exception);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited between the check and the kill.
            }
        }

        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            // A killed process can linger as a zombie for a moment here; it is gone from our side.
        }

        _process.Dispose();
        TryDelete(WorkDirectory);
    }

    private async Task WaitUntilAnsweringAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + s_startTimeout;
        while (DateTime.UtcNow < deadline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited at start-up:\n{Output}");
            }

            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Options, Files);
                using var response = await http.SendAsync(request, cancellationToken);
                if (response.StatusCode == HttpStatusCode.NoContent)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The attempt timed out; try again.
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"The server did not answer within {s_startTimeout}:\n{Output}");
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int processId, int signal);

    private void Capture(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The built server next to this test assembly's configuration (Debug or Release).</summary>
    private static string ServerAssemblyPath()
    {
        var testDirectory = AppContext.BaseDirectory;
        var configuration = testDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}",
            StringComparison.Ordinal) ? "Release" : "Debug";

        var directory = new DirectoryInfo(testDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "TusUpload.sln")))
        {
            directory = directory.Parent;
        }

        if (directory is null)
        {
            throw new InvalidOperationException($"No TusUpload.sln above {testDirectory}.");
        }

        var path = Path.Combine(directory.FullName, "src", "TusUpload.Server", "bin", configuration, "net10.0",
            "TusUpload.Server.dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"Build the server first ({configuration}); {path} is missing.", path);
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean; it is under the temp directory.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
