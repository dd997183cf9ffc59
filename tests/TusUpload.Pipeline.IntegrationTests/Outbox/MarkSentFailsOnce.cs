using System.Reflection;
using TusUpload.Pipeline.IntegrationTests.Ledger;
using TusUpload.Pipeline.Ledger;

namespace TusUpload.Pipeline.IntegrationTests.Outbox;

/// <summary>A ledger whose first "mark sent" fails, as a SQLite file briefly locked elsewhere makes it.</summary>
public class MarkSentFailsOnce : LedgerDecorator<MarkSentFailsOnce>
{
    private int _failuresLeft = 1;

    public int Failures { get; private set; }

    protected override object? Answer(MethodInfo method, object?[]? args)
    {
        if (method.Name == nameof(IUploadLedger.MarkOutboxSentAsync)
            && Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            Failures++;
            return Task.FromException(new InvalidOperationException("database is locked"));
        }

        return Forward(method, args);
    }
}
