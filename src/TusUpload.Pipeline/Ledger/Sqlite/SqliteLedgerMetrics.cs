using System.Diagnostics.Metrics;

namespace TusUpload.Pipeline.Ledger.Sqlite;

/// <summary>Instruments of the SQLite ledger on the <c>TusUpload</c> meter; none without a meter factory.</summary>
public sealed class SqliteLedgerMetrics
{
    public const string MeterName = "TusUpload";

    public const string WritesPerCommit = "tus_ledger_writes_per_commit";

    private readonly Histogram<int>? _writesPerCommit;

    public SqliteLedgerMetrics(IMeterFactory? meterFactory)
    {
        _writesPerCommit = meterFactory?.Create(MeterName).CreateHistogram<int>(
            WritesPerCommit,
            unit: "{write}",
            description: "Ledger writes that shared one SQLite commit, and so one WAL fsync.");
    }

    public void Committed(int writes) => _writesPerCommit?.Record(writes);
}
