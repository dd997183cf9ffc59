using System.Reflection;
using TusUpload.Pipeline.Ledger;

namespace TusUpload.Pipeline.IntegrationTests.Outbox;

/// <summary>A ledger whose first "mark sent" fails, as a SQLite file briefly locked elsewhere makes it.</summary>
public class MarkSentFailsOnce : DispatchProxy
{
    private IUploadLedger? _inner;
    private int _failuresLeft = 1;

    public int Failures { get; private set; }

    public static IUploadLedger Wrap(IUploadLedger inner, out MarkSentFailsOnce proxy)
    {
        var ledger = Create<IUploadLedger, MarkSentFailsOnce>();
        proxy = (MarkSentFailsOnce)(object)ledger;
        proxy._inner = inner;
        return ledger;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(IUploadLedger.MarkOutboxSentAsync)
            && Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            Failures++;
            return Task.FromException(new InvalidOperationException("database is locked"));
        }

        return targetMethod.Invoke(_inner, args);
    }
}
