using System.Reflection;
using TusUpload.Pipeline.Ledger;

namespace TusUpload.Pipeline.IntegrationTests.Processing;

/// <summary>
/// A ledger whose every commit of a processing outcome fails with nothing written, as a database that refuses the
/// transaction makes it (a SQLite file locked elsewhere, a PostgreSQL connection lost); every other call, marking
/// the upload failed included, goes to the real ledger.
/// </summary>
public class OutcomeCommitFails : DispatchProxy
{
    private IUploadLedger? _inner;

    private int _failures;

    public int Failures => Volatile.Read(ref _failures);

    public static IUploadLedger Wrap(IUploadLedger inner)
    {
        var ledger = Create<IUploadLedger, OutcomeCommitFails>();
        ((OutcomeCommitFails)(object)ledger)._inner = inner;
        return ledger;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(IUploadLedger.CompleteProcessingAsync))
        {
            Interlocked.Increment(ref _failures);
            return Task.FromException<ProcessingOutcome>(new InvalidOperationException("database is locked (test)"));
        }

        return targetMethod.Invoke(_inner, args);
    }
}
