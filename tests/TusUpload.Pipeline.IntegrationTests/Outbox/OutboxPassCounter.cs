using System.Reflection;
using TusUpload.Pipeline.IntegrationTests.Ledger;
using TusUpload.Pipeline.Ledger;

namespace TusUpload.Pipeline.IntegrationTests.Outbox;

/// <summary>
/// A ledger that counts the relay's passes that worked: a pass counts the unsent rows last, after its claim (and
/// any publish) succeeded, so every count that returned ends one. Everything else goes to the real ledger as is.
/// </summary>
public class OutboxPassCounter : LedgerDecorator<OutboxPassCounter>
{
    private int _passes;

    public int Passes => Volatile.Read(ref _passes);

    protected override object? Answer(MethodInfo method, object?[]? args)
    {
        var result = Forward(method, args);
        return method.Name == nameof(IUploadLedger.CountUnsentOutboxAsync) && result is Task<long> count
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
