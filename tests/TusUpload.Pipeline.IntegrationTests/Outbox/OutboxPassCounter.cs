using System.Reflection;
using TusUpload.Pipeline.Ledger;

namespace TusUpload.Pipeline.IntegrationTests.Outbox;

/// <summary>
/// A ledger that counts the relay's passes that worked: a pass counts the unsent rows last, after its claim (and
/// any publish) succeeded, so every count that returned ends one. Everything else goes to the real ledger as is.
/// </summary>
public class OutboxPassCounter : DispatchProxy
{
    private IUploadLedger? _inner;

    private int _passes;

    public int Passes => Volatile.Read(ref _passes);

    public static IUploadLedger Wrap(IUploadLedger inner, out OutboxPassCounter proxy)
    {
        var ledger = Create<IUploadLedger, OutboxPassCounter>();
        proxy = (OutboxPassCounter)(object)ledger;
        proxy._inner = inner;
        return ledger;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var result = targetMethod.Invoke(_inner, args);
        return targetMethod.Name == nameof(IUploadLedger.CountUnsentOutboxAsync) && result is Task<long> count
            ? CountedAsync(count)
            : result;
    }

    private async Task<long> CountedAsync(Task<long> count)
    {
        var unsent = await count;
        Interlocked.Increment(ref _passes);
        return unsent;
    }
}
