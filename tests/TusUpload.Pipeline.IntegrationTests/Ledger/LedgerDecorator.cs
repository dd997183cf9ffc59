using System.Reflection;
using TusUpload.Pipeline.Ledger;

namespace TusUpload.Pipeline.IntegrationTests.Ledger;

/// <summary>
/// A test ledger around the real one: a derived class answers the calls it cares about (to fail or count them) and
/// forwards the rest. DispatchProxy makes the instance, so a derived class must be neither sealed nor abstract.
/// </summary>
public abstract class LedgerDecorator<TSelf> : DispatchProxy
    where TSelf : LedgerDecorator<TSelf>
{
    private IUploadLedger? _inner;

    public static IUploadLedger Wrap(IUploadLedger inner) => Wrap(inner, out _);

    public static IUploadLedger Wrap(IUploadLedger inner, out TSelf decorator)
    {
        var ledger = Create<IUploadLedger, TSelf>();
        decorator = (TSelf)(object)ledger;
        decorator._inner = inner;
        return ledger;
    }

    /// <summary>The answer to one call: the derived class's own, or <see cref="Forward"/>'s.</summary>
    protected abstract object? Answer(MethodInfo method, object?[]? args);

    /// <summary>Passes the call to the real ledger and returns its result (a task for the async calls).</summary>
    protected object? Forward(MethodInfo method, object?[]? args) => method.Invoke(_inner, args);

    protected sealed override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        return Answer(targetMethod, args);
    }
}
