using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TusUpload.Pipeline.IntegrationTests.Faults;

/// <summary>
/// A private instance of one service from scripts/services.sh (own state folder and ports), for tests that stop
/// it: the shared instances other tests use are never touched.
/// </summary>
internal sealed class PrivateServices : IAsyncDisposable
{
    private readonly string _stateDirectory = Directory.CreateTempSubdirectory("tus-private-services-").FullName;
    private readonly Dictionary<string, string> _environment = [];
    private readonly string _service;

    private PrivateServices(string service)
    {
        _service = service;
    }

    public int ClamdPort { get; private set; }

    public static async Task<PrivateServices> StartClamdAsync()
    {
        var services = new PrivateServices("clamav") { ClamdPort = FreeLoopbackPort() };
        services._environment["TUS_CLAMD_PORT"] =
            services.ClamdPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await services.StartAsync();
        return services;
    }

    public Task StartAsync() => RunAsync("start");

    public Task StopAsync() => RunAsync("stop");

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_stateDirectory, recursive: true);
    }

    private async Task RunAsync(string verb)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot(), "scripts", "services.sh"));
        start.ArgumentList.Add(verb);
        start.ArgumentList.Add(_service);
        start.Environment["TUS_SERVICES_DIR"] = _stateDirectory;
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(180));
        Assert.True(
            process.ExitCode == 0,
            $"services.sh {verb} {_service} failed ({process.ExitCode}): {await output}{await error}");
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        for (; directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "scripts", "services.sh")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("scripts/services.sh not found above " + AppContext.BaseDirectory);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
