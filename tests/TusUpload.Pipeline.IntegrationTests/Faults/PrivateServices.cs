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

    public int RabbitMqPort { get; private set; }

    public Uri RabbitMqUri => new($"amqp://guest:guest@127.0.0.1:{RabbitMqPort}/");

    /// <summary>A private broker: its own node, state folder, AMQP, distribution, epmd and CLI ports.</summary>
    public static async Task<PrivateServices> StartRabbitMqAsync()
    {
        var services = new PrivateServices("rabbitmq") { RabbitMqPort = FreeLoopbackPort() };
        services._environment["TUS_RABBITMQ_PORT"] = Text(services.RabbitMqPort);
        services._environment["TUS_RABBITMQ_DIST_PORT"] = Text(FreeLoopbackPort());
        services._environment["TUS_RABBITMQ_EPMD_PORT"] = Text(FreeLoopbackPort());
        services._environment["TUS_RABBITMQ_PROMETHEUS_PORT"] = Text(FreeLoopbackPort());
        services._environment["TUS_RABBITMQ_CTL_PORT"] = Text(FreeLoopbackRange(5));
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

    private static string Text(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    // The broker's CLI takes a range of ports; find a base with every port of the range free (bounded tries).
    private static int FreeLoopbackRange(int count)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var first = Random.Shared.Next(40_000, 60_000);
            if (Enumerable.Range(first, count).All(IsFree))
            {
                return first;
            }
        }

        throw new InvalidOperationException($"no {count} consecutive free loopback ports found");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
