using System.Data.Common;

namespace TusUpload.Pipeline.Ledger;

/// <summary>
/// A connection with an open write transaction, plus whatever else must be released when it ends. The connection is
/// closed with the scope unless <paramref name="keepConnection"/> (a ledger that keeps one for all its writes).
/// </summary>
public sealed class LedgerWriteScope(
    DbConnection connection,
    DbTransaction transaction,
    IDisposable? release,
    bool keepConnection = false) : IAsyncDisposable
{
    public DbConnection Connection { get; } = connection;

    public DbTransaction Transaction { get; } = transaction;

    public async ValueTask DisposeAsync()
    {
        // Each step runs even when the one before it throws: a connection left open after a failed rollback would
        // keep SQLite's write lock and stall every later write.
        try
        {
            await Transaction.DisposeAsync();
        }
        finally
        {
            try
            {
                if (!keepConnection)
                {
                    await Connection.DisposeAsync();
                }
            }
            finally
            {
                release?.Dispose();
            }
        }
    }
}
