namespace TusUpload.Pipeline.Ledger.Sqlite;

/// <summary>
/// A SQLite ledger write was part of a group commit whose transaction failed as a whole (its BEGIN, a rollback to
/// a savepoint after SQLite had already ended the transaction, or its COMMIT); none of that commit's writes were
/// kept. The inner exception is the database's error. Every caller of that commit gets an instance of its own.
/// </summary>
public sealed class LedgerBatchFailedException : Exception
{
    public LedgerBatchFailedException()
    {
    }

    public LedgerBatchFailedException(string message)
        : base(message)
    {
    }

    public LedgerBatchFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public LedgerBatchFailedException(int writes, Exception innerException)
        : base(
            $"The ledger transaction that held this write (one of {writes}) failed, and none of its writes was "
            + "kept: " + innerException?.Message,
            innerException)
    {
    }
}
