using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TusUpload.Pipeline.Ledger;
using TusUpload.Pipeline.Ledger.Sqlite;
using TusUpload.Pipeline.Messaging;
using TusUpload.Pipeline.Processing;
using TusUpload.Postgres.Ledger;
using TusUpload.Postgres.Migrations;
using TusUpload.Protocol.Storage;
using TusUpload.Store.Disk;

namespace TusUpload.Pipeline.IntegrationTests.Processing;

/// <summary>
/// The real processor over the real disk store, the real SQLite ledger (both in a private temp directory) and,
/// when scanning is on, the test clamd from scripts/services.sh. With <c>Ledger:Kind=postgres</c> among the extra
/// settings the ledger is PostgreSQL instead; call <see cref="MigrateAsync"/> before using it.
/// </summary>
internal sealed class ProcessingTestHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private ProcessingTestHost(string root, ServiceProvider services)
    {
        Root = root;
        _services = services;
    }

    public string Root { get; }

    public IUploadStore Store => _services.GetRequiredService<IUploadStore>();

    public IBlobStore Blobs => _services.GetRequiredService<IBlobStore>();

    public IUploadLedger Ledger => _services.GetRequiredService<IUploadLedger>();

    public CompletionProcessor Processor => _services.GetRequiredService<CompletionProcessor>();

    public ProcessingMetrics Metrics => _services.GetRequiredService<ProcessingMetrics>();

    /// <summary>One of the host's services, to build a processor of the test's own (with a recording logger).</summary>
    public TService Service<TService>()
        where TService : notnull => _services.GetRequiredService<TService>();

    public static ProcessingTestHost Start(
        bool scan,
        string? clamdEndpoint = null,
        params (string Key, string Value)[] extra) => Build(scan, clamdEndpoint, decorateStore: null, null, extra);

    /// <summary>A host whose SQLite ledger is seen through <paramref name="decorateLedger"/>.</summary>
    public static ProcessingTestHost StartWithLedger(
        bool scan,
        Func<IUploadLedger, IUploadLedger> decorateLedger,
        params (string Key, string Value)[] extra) =>
        Build(scan, clamdEndpoint: null, decorateStore: null, decorateBlobs: null, extra, decorateLedger);

    /// <summary>A host whose upload store is the disk store seen through <paramref name="decorateStore"/>.</summary>
    public static ProcessingTestHost StartWithStore(
        bool scan,
        Func<IUploadStore, IUploadStore> decorateStore,
        params (string Key, string Value)[] extra) =>
        Build(scan, clamdEndpoint: null, decorateStore, decorateBlobs: null, extra);

    /// <summary>A host whose blob store is the disk one seen through <paramref name="decorateBlobs"/>.</summary>
    public static ProcessingTestHost StartWithBlobs(
        bool scan,
        Func<IBlobStore, IBlobStore> decorateBlobs,
        params (string Key, string Value)[] extra) =>
        Build(scan, clamdEndpoint: null, decorateStore: null, decorateBlobs, extra);

    private static ProcessingTestHost Build(
        bool scan,
        string? clamdEndpoint,
        Func<IUploadStore, IUploadStore>? decorateStore,
        Func<IBlobStore, IBlobStore>? decorateBlobs,
        (string Key, string Value)[] extra,
        Func<IUploadLedger, IUploadLedger>? decorateLedger = null)
    {
        var root = Directory.CreateTempSubdirectory("tus-processing-").FullName;
        var settings = new Dictionary<string, string?>
        {
            ["Store:Disk:Path"] = Path.Combine(root, "uploads"),
            ["Ledger:Path"] = Path.Combine(root, "ledger.db"),
            ["ClamAV:Enabled"] = scan ? "true" : "false",
            ["Worker:ScannerRetryWindow"] = "00:00:02",
            ["Worker:ScannerRetryDelay"] = "00:00:00.200",
        };
        if (scan)
        {
            var (host, port) = SplitEndpoint(clamdEndpoint ?? ClamdEndpoint);
            settings["ClamAV:Host"] = host;
            settings["ClamAV:Port"] = port;
        }

        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection()
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton(TimeProvider.System)
            .AddDiskUploadStore(configuration.GetSection(DiskStoreOptions.SectionName));
        services.AddOptions<LedgerOptions>().Bind(configuration.GetSection(LedgerOptions.SectionName));
        if (settings.GetValueOrDefault("Ledger:Kind") == LedgerKinds.Postgres)
        {
            new PostgresLedgerRegistration().AddLedger(services, configuration);
        }
        else if (decorateLedger is not null)
        {
            services.AddSingleton<SqliteUploadLedger>();
            services.AddSingleton(provider => decorateLedger(provider.GetRequiredService<SqliteUploadLedger>()));
        }
        else
        {
            services.AddSingleton<IUploadLedger, SqliteUploadLedger>();
        }

        services.AddCompletionProcessing(configuration);
        if (decorateStore is not null)
        {
            services.AddSingleton(provider => decorateStore(provider.GetRequiredService<DiskUploadStore>()));
        }

        if (decorateBlobs is not null)
        {
            services.AddSingleton(provider => decorateBlobs(provider.GetRequiredService<DiskBlobStore>()));
        }

        return new ProcessingTestHost(root, services.BuildServiceProvider(validateScopes: true));
    }

    /// <summary>
    /// Applies the PostgreSQL migrations, as the hosted migration service does at a process's start-up (nothing
    /// here runs hosted services); a no-op on SQLite, which creates its tables itself.
    /// </summary>
    public async Task MigrateAsync()
    {
        var migrator = _services.GetService<PostgresMigrator>();
        if (migrator is not null)
        {
            await migrator.MigrateAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        }
    }

    public static string ClamdEndpoint
    {
        get
        {
            var value = Environment.GetEnvironmentVariable("TUS_TEST_CLAMD");
            Assert.False(
                string.IsNullOrWhiteSpace(value),
                "TUS_TEST_CLAMD is not set: run the tests with scripts/test.sh "
                + "(or eval \"$(scripts/services.sh env)\").");
            return value!;
        }
    }

    /// <summary>The EICAR test string, assembled here so that no file of ours carries it whole.</summary>
    public static byte[] Eicar() => Encoding.ASCII.GetBytes(
        string.Concat(@"X5O!P%@AP[4\PZX54(P^)7CC)7}$", "EICAR-STANDARD-", "ANTIVIRUS-TEST-FILE!$H+H*"));

    /// <summary>The content as the only entry of a zip, that zip as the only entry of another, depth times.</summary>
    public static byte[] NestedZip(byte[] content, int depth)
    {
        var entryName = "eicar.com";
        for (var level = 0; level < depth; level++)
        {
            using var archive = new MemoryStream();
            using (var zip = new ZipArchive(archive, ZipArchiveMode.Create, leaveOpen: true))
            {
                using var entry = zip.CreateEntry(entryName, CompressionLevel.Optimal).Open();
                entry.Write(content);
            }

            content = archive.ToArray();
            entryName = $"level{level}.zip";
        }

        return content;
    }

    public static string Sha256Hex(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>Stores a complete upload and records it as received (with its outbox row) in the ledger.</summary>
    public async Task<string> ReceiveAsync(byte[] content, string? metadata = null)
    {
        var id = Guid.NewGuid().ToString("N");
        var info = new UploadInfo
        {
            Id = id,
            Length = content.Length,
            Metadata = metadata,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        await Store.CreateAsync(info, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        await using (var writer = await Store.OpenChunkAsync(info, new ChunkOptions(false, content.Length), default))
        {
            await writer.WriteAsync(content, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            await writer.CommitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        }

        await Ledger.RecordCreatedAsync(id, content.Length, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        await Ledger.RecordReceivedAsync(id, content.Length, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(10));
        return id;
    }

    public Task ProcessAsync(string uploadId, int deliveryCount = 1) => Processor
        .HandleAsync(new UploadCompletedEvent(uploadId, 0, null, DateTimeOffset.UtcNow), deliveryCount, default)
        .WaitAsync(TimeSpan.FromSeconds(60));

    public async Task<LedgerUpload> GetAsync(string uploadId) =>
        await Ledger.GetAsync(uploadId, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10))
        ?? throw new InvalidOperationException($"upload {uploadId} is not in the ledger");

    public Task<long?> ReferenceCountAsync(string sha256) =>
        Ledger.GetBlobReferenceCountAsync(sha256, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

    public int BlobFileCount() => Directory.Exists(Path.Combine(Root, "uploads", "blobs"))
        ? Directory.EnumerateFiles(Path.Combine(Root, "uploads", "blobs"), "*", SearchOption.AllDirectories).Count()
        : 0;

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }

    public static (string Host, string Port) SplitEndpoint(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        return (endpoint[..colon], endpoint[(colon + 1)..]);
    }
}
