namespace TusUpload.Server.IntegrationTests.Harness;

/// <summary>
/// The servers one conformance run needs, started once per collection over one store kind. <see cref="Main"/>
/// has a short idle timeout, a 64 MiB size limit and one allowed CORS origin; <see cref="Expiring"/> lets uploads
/// expire after two seconds (sweeping hourly, so expired uploads stay visible) and trusts 127.0.0.1 as a proxy.
/// A store kind derives from this class and supplies its settings and a view of what it stores.
/// </summary>
public abstract class TusServers : IAsyncLifetime
{
    public const long MaxSize = 64L * 1024 * 1024;
    public const string AllowedOrigin = "https://app.example";
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Long enough for a creation and a first PATCH to finish inside it on a loaded machine: with two seconds, an S3
    /// server's first PATCH was answered 410 during a full test run on two busy cores.
    /// </summary>
    public static readonly TimeSpan ShortExpiry = TimeSpan.FromSeconds(5);

    private TusServerProcess? _main;
    private TusServerProcess? _expiring;

    public TusServerProcess Main => _main ?? throw new InvalidOperationException("Not started.");

    public TusServerProcess Expiring => _expiring ?? throw new InvalidOperationException("Not started.");

    public static IReadOnlyDictionary<string, string> MainSettings { get; } = new Dictionary<string, string>
    {
        ["Tus:IdleTimeout"] = "00:00:02",
        ["Tus:MaxSize"] = MaxSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Tus:LockTakeoverTimeout"] = "00:00:03",
        ["Tus:AllowedOrigins:0"] = AllowedOrigin,
    };

    public static IReadOnlyDictionary<string, string> ExpiringSettings { get; } = new Dictionary<string, string>
    {
        ["Tus:Expiry"] = "00:00:02",
        ["Tus:SweepInterval"] = "01:00:00",
        // An address that is not the test client's and a network that holds it: forwarded headers must count.
        ["Tus:TrustedProxies:0"] = "192.0.2.1",
        ["Tus:TrustedProxies:1"] = "127.0.0.0/8",
    };

    /// <summary>Starts a further server of this store kind with extra settings (the caller disposes it).</summary>
    public Task<TusServerProcess> StartServerAsync(IReadOnlyDictionary<string, string> tusSettings) =>
        StartServerAsync(tusSettings, NewWorkDirectory());

    /// <summary>Starts a server on an existing scratch directory, e.g. to restart over the same stored data.</summary>
    public Task<TusServerProcess> StartServerAsync(
        IReadOnlyDictionary<string, string> tusSettings,
        string workDirectory)
    {
        return TusServerProcess.StartAsync(Combined(tusSettings, workDirectory), workDirectory);
    }

    /// <summary>
    /// Runs a server of this kind with <paramref name="tusSettings"/> over its store's until it exits by itself, for
    /// a start that must fail; see <see cref="TusServerProcess.RunToExitAsync"/>.
    /// </summary>
    public Task<(int ExitCode, string Output)> RunServerToExitAsync(
        IReadOnlyDictionary<string, string> tusSettings,
        TimeSpan timeout)
    {
        var workDirectory = NewWorkDirectory();
        return TusServerProcess.RunToExitAsync(Combined(tusSettings, workDirectory), workDirectory, timeout);
    }

    public static string NewWorkDirectory() =>
        Path.Combine(Path.GetTempPath(), "tus-it-" + Guid.NewGuid().ToString("N"));

    /// <summary>What <paramref name="server"/> stores, with sizes, to prove a request changed nothing.</summary>
    public abstract Task<IReadOnlyDictionary<string, long>> SnapshotStorageAsync(TusServerProcess server);

    public async Task InitializeAsync()
    {
        var starting = new[] { StartServerAsync(MainSettings), StartServerAsync(ExpiringSettings) };
        await Task.WhenAll(starting).WaitAsync(TimeSpan.FromMinutes(2));
        _main = await starting[0];
        _expiring = await starting[1];
    }

    public async Task DisposeAsync()
    {
        if (_main is not null)
        {
            await _main.DisposeAsync();
        }

        if (_expiring is not null)
        {
            await _expiring.DisposeAsync();
        }
    }

    /// <summary>Settings that select and configure the store for a server whose scratch directory is given.</summary>
    protected abstract IReadOnlyDictionary<string, string> StoreSettings(string workDirectory);

    /// <summary>The store's settings for <paramref name="workDirectory"/>, overridden by the test's.</summary>
    private Dictionary<string, string> Combined(IReadOnlyDictionary<string, string> tusSettings, string workDirectory)
    {
        var settings = new Dictionary<string, string>(StoreSettings(workDirectory));
        foreach (var (key, value) in tusSettings)
        {
            settings[key] = value;
        }

        return settings;
    }
}
