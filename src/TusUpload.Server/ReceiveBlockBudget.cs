namespace TusUpload.Server;

/// <summary>
/// How many 64 KiB blocks every <see cref="ReceiveBlockPool"/> of the process has lent out at once. Kestrel's socket
/// transport asks the factory for one pool per I/O queue (one per core, up to 16) and per listening socket, so a
/// bound kept by each pool alone multiplies with them: on 16 cores a crowd of trickling connections could hold
/// 16 × 1024 blocks (1 GiB) where the bound promises 64 MiB. One budget shared by all pools keeps the promise.
/// </summary>
internal sealed class ReceiveBlockBudget(int limit)
{
    private int _lent;

    /// <summary>Large blocks lent out now, over all pools sharing this budget.</summary>
    public int Lent => Volatile.Read(ref _lent);

    /// <summary>Takes one block from the budget; false when <c>limit</c> blocks are out already.</summary>
    public bool TryTake()
    {
        if (Interlocked.Increment(ref _lent) > limit)
        {
            Interlocked.Decrement(ref _lent);
            return false;
        }

        return true;
    }

    public void Give() => Interlocked.Decrement(ref _lent);
}
