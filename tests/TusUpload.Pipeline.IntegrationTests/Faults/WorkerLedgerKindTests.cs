using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TusUpload.Pipeline.Ledger;
using TusUpload.Worker;

namespace TusUpload.Pipeline.IntegrationTests.Faults;

/// <summary>The worker reads <c>Ledger:Kind</c> as the server does: case and spaces around it do not matter.</summary>
public sealed class WorkerLedgerKindTests
{
    [Theory]
    [InlineData("SQLite")]
    [InlineData(" sqlite ")]
    public void A_ledger_kind_the_server_takes_passes_the_worker_validation(string kind)
    {
        // The worker refused "SQLite" at start-up ("Ledger:Kind must be 'sqlite' or 'postgres'") while the server
        // ran with it.
        var folder = Directory.CreateTempSubdirectory("tus-worker-ledger-kind-").FullName;
        try
        {
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Ledger:Kind"] = kind,
                    ["Ledger:Path"] = Path.Combine(folder, "ledger.db"),
                    ["Store:Disk:Path"] = Path.Combine(folder, "uploads"),
                })
                .Build();
            using var provider = new ServiceCollection().AddLogging().AddWorker(configuration).BuildServiceProvider();

            var ledger = provider.GetRequiredService<IOptions<LedgerOptions>>().Value;

            Assert.Equal(LedgerKinds.Sqlite, ledger.Kind);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
