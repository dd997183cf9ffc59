using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using TusUpload.Pipeline.Ledger.Sqlite;

namespace TusUpload.Pipeline.IntegrationTests.Ledger;

/// <summary>
/// Records <c>tus_ledger_writes_per_commit</c> of the ledgers built with <see cref="MeterFactory"/> (a factory of
/// this test's own, so parallel tests never see each other's commits). The ledger records a commit's size before it
/// completes that commit's callers, so once a write's task has finished its commit is in <see cref="Sizes"/>.
/// </summary>
internal sealed class WritesPerCommitRecorder : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private readonly MeterListener _listener = new();

    private readonly ConcurrentQueue<int> _sizes = new();

    public WritesPerCommitRecorder()
    {
        MeterFactory = _services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, MeterFactory)
                && instrument.Name == SqliteLedgerMetrics.WritesPerCommit)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((_, writes, _, _) => _sizes.Enqueue(writes));
        _listener.Start();
    }

    public IMeterFactory MeterFactory { get; }

    /// <summary>Writes per commit, in commit order.</summary>
    public int[] Sizes => [.. _sizes];

    public void Clear() => _sizes.Clear();

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
    }
}
