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
        services._environment["TUS_CLAMD_PORT"] = Text(services.ClamdPort);
        return await StartedOrCleanedUpAsync(services);
    }

    public int RabbitMqPort { get; private set; }

    public Uri RabbitMqUri => new($"amqp://guest:guest@127.0.0.1:{RabbitMqPort}/");

    /// <summary>A private broker: its own node, state folder, AMQP, distribution, epmd and CLI ports.</summary>
    public static async Task<PrivateServices> StartRabbitMqAsync()
    {
        // Four distinct ports: asked for one at a time, the kernel may hand out a port it just released again, and
        // a broker whose distribution port is its own port mapper's dies at boot (dist_port_already_used).
        var ports = FreeLoopbackPorts(4);
        var services = new PrivateServices("rabbitmq") { RabbitMqPort = ports[0] };
        services._environment["TUS_RABBITMQ_PORT"] = Text(ports[0]);
        services._environment["TUS_RABBITMQ_DIST_PORT"] = Text(ports[1]);
        services._environment["TUS_RABBITMQ_EPMD_PORT"] = Text(ports[2]);
        services._environment["TUS_RABBITMQ_PROMETHEUS_PORT"] = Text(ports[3]);
        services._environment["TUS_RABBITMQ_CTL_PORT"] = Text(FreeLoopbackRange(5, ports));
        return await StartedOrCleanedUpAsync(services);
    }

    public int PostgresPort { get; private set; }

    /// <summary>The database services.sh creates, reached without a password (trust on 127.0.0.1).</summary>
    public string PostgresConnectionString =>
        $"Host=127.0.0.1;Port={PostgresPort};Username=postgres;Database=tusupload;Timeout=5";

    /// <summary>
    /// A private PostgreSQL, not started yet: its port is chosen (nothing listens on it) and <see cref="StartAsync"/>
    /// starts it there, so a test can start a client while the database is down.
    /// </summary>
    public static PrivateServices PostgresNotStarted()
    {
        var services = new PrivateServices("postgres") { PostgresPort = FreeLoopbackPort() };
        services._environment["TUS_POSTGRES_PORT"] = Text(services.PostgresPort);
        return services;
    }

    public Task StartAsync() => RunAsync("start");

    /// <summary>
    /// A start that fails can leave part of the service running (the broker's port mapper) and its state folder
    /// behind; both are removed before the failure is reported.
    /// </summary>
    private static async Task<PrivateServices> StartedOrCleanedUpAsync(PrivateServices services)
    {
        try
        {
            await services.StartAsync();
            return services;
        }
        catch
        {
            try
            {
                await services.DisposeAsync();
            }
            catch (Exception cleanup) when (cleanup is not OutOfMemoryException)
            {
                // The start's failure is the one worth reporting; the clean-up's is secondary.
            }

            throw;
        }
    }

    public Task StopAsync() => RunAsync("stop");

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_service == "postgres")
        {
            // As root, PostgreSQL keeps its data under /tmp (see services.sh); purge removes it once stopped.
            await RunAsync("purge");
        }

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
        if (verb != "purge")
        {
            start.ArgumentList.Add(_service);
        }

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

    // The broker's CLI takes a range of ports; find a base with every port of the range free and none of the ports
    // already chosen for the broker itself (bounded tries).
    private static int FreeLoopbackRange(int count, IReadOnlyCollection<int> taken)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var first = Random.Shared.Next(40_000, 60_000);
            var range = Enumerable.Range(first, count).ToList();
            if (!range.Any(taken.Contains) && range.All(IsFree))
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

    public static int FreeLoopbackPort() => FreeLoopbackPorts(1)[0];

    /// <summary><paramref name="count"/> free loopback ports, all different: every one is held until all are.</summary>
    private static int[] FreeLoopbackPorts(int count)
    {
        var listeners = new List<TcpListener>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listeners.Add(listener);
                listener.Start();
            }

            return listeners.Select(listener => ((IPEndPoint)listener.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Dispose();
            }
        }
    }
}
