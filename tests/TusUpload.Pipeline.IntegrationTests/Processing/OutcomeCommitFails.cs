using System.Reflection;
using TusUpload.Pipeline.IntegrationTests.Ledger;
using TusUpload.Pipeline.Ledger;

namespace TusUpload.Pipeline.IntegrationTests.Processing;

/// <summary>
/// A ledger whose every commit of a processing outcome fails with nothing written, as a database that refuses the
/// transaction makes it (a SQLite file locked elsewhere, a PostgreSQL connection lost); every other call, marking
/// the upload failed included, goes to the real ledger.
/// </summary>
public class OutcomeCommitFails : LedgerDecorator<OutcomeCommitFails>
{
    private int _failures;

    public int Failures => Volatile.Read(ref _failures);

    protected override object? Answer(MethodInfo method, object?[]? args)
    {
        if (method.Name == nameof(IUploadLedger.CompleteProcessingAsync))
        {
            Interlocked.Increment(ref _failures);
            return Task.FromException<ProcessingOutcome>(new InvalidOperationException("database is locked (test)"));
        }

        return Forward(method, args);
    }
}
