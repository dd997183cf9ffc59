using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using TusUpload.Server.IntegrationTests.Harness;

namespace TusUpload.Server.IntegrationTests.Hosting;

/// <summary>
/// A misspelt setting is named at start-up instead of being ignored without a word; every key of the settings tables
/// in README.md and docs/, the Helm chart and the Compose file (a configuration shared with the worker) passes quietly.
/// </summary>
public sealed partial class UnknownSettingTests
{
    private const string Warning = "is not one the server knows";

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Misspelt_keys_are_each_named_once_and_known_ones_not_at_all()
    {
        var work = TusServers.NewWorkDirectory();
        var settings = new Dictionary<string, string>
        {
            ["ClamAV:Enable"] = "true",
            ["Tus:Expiration"] = "00:00:02",
            ["Store:S3:Bukcet"] = "uploads",
            ["Tus:BasePath"] = "/files/",
            ["Tus:MaxSize"] = "10737418240",
            ["Tus:Expiry"] = "1.00:00:00",
            ["Tus:AllowedOrigins:0"] = "https://app.example",
            ["Store:Kind"] = "disk",
            ["Store:S3:ServiceUrl"] = "http://minio.invalid:9000",
            ["Store:S3:Bucket"] = "uploads",
            ["Locking:Kind"] = "inprocess",
            ["Locking:Postgres:LeaseDuration"] = "00:00:10",
            ["Ledger:Kind"] = "sqlite",
            ["Pipeline:Queue"] = "inprocess",
            ["Worker:InProcess"] = "true",
            ["Worker:MetricsPort"] = "9464",
            ["ClamAV:Enabled"] = "false",
            ["ClamAV:Host"] = "clamav.invalid",
            ["RabbitMq:Uri"] = "amqp://guest:guest@rabbitmq.invalid:5672/",
            ["Postgres:ConnectionString"] = "Host=postgres.invalid",
            ["Server:ShutdownTimeout"] = "00:00:30",
        };

        await using var server = await TusServerProcess.StartAsync(settings, work).WaitAsync(s_timeout);

        Assert.Equal(1, server.CountLogLines(Warning, "ClamAV:Enable "));
        Assert.Equal(1, server.CountLogLines(Warning, "Tus:Expiration"));
        Assert.Equal(1, server.CountLogLines(Warning, "Store:S3:Bukcet"));
        Assert.Equal(3, server.CountLogLines(Warning));
    }

    [Fact]
    public void Every_key_in_the_settings_tables_of_the_readme_and_docs_is_one_the_server_knows()
    {
        var keys = DocumentedKeys();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(keys.Select(key => KeyValuePair.Create(key, (string?)"documented")))
            .Build();

        var unknown = ServerSettings.Catalog().UnknownKeys(configuration);

        // The tables name about 75 keys; far fewer means the extraction broke, not that the docs shrank.
        Assert.True(keys.Count >= 70, $"Only {keys.Count} keys found in the settings tables.");
        Assert.Empty(unknown);
    }

    /// <summary>The full keys (<c>Section:Key</c>) in the first column of every table in README.md and docs/.</summary>
    private static List<string> DocumentedKeys()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "TusUpload.sln")))
        {
            root = root.Parent;
        }

        Assert.True(root is not null, "TusUpload.sln not found above " + AppContext.BaseDirectory);
        var files = Directory.GetFiles(Path.Combine(root!.FullName, "docs"), "*.md")
            .Append(Path.Combine(root.FullName, "README.md"));
        return files
            .SelectMany(File.ReadLines)
            .Select(line => TableKey().Match(line))
            .Where(match => match.Success)
            .Select(match => match.Groups["key"].Value)
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    [GeneratedRegex(@"^\| `(?<key>[A-Za-z][A-Za-z0-9]*(?::[A-Za-z0-9]+)+)`")]
    private static partial Regex TableKey();
}
