namespace TusUpload.Server;

/// <summary>
/// The bounds every <see cref="ReceiveBlockPool"/> of the process shares: how many 64 KiB blocks are lent out at
/// once, and how many returned ones are kept for reuse. Kestrel's socket transport asks the factory for one pool per
/// I/O queue (one per core, up to 16) and per listening socket, so bounds kept by each pool alone would multiply
/// with them: on 16 cores a crowd of trickling connections could hold 16 × 1024 blocks (1 GiB) where the bound
/// promises 64 MiB, and the pools would keep 16 × 16 MiB after a spike.
/// </summary>
internal sealed class ReceiveBlockBudget(int lentLimit, int keptLimit, int smallKeptLimit)
{
    private int _lent;
    private int _kept;
    private int _smallKept;

    /// <summary>
    /// The budget the server runs with: 1024 blocks lent (64 MiB) and 256 kept (16 MiB) at most, and up to 1024 of
    /// the 4 KiB blocks lent beyond that kept (4 MiB).
    /// </summary>
    public static ReceiveBlockBudget Default() =>
        new(
            ReceiveBlockPool.MaxLentBlocks,
            ReceiveBlockPool.MaxRetainedBlocks,
            ReceiveBlockPool.MaxRetainedSmallBlocks);

    /// <summary>Large blocks lent out now, over all pools sharing this budget.</summary>
    public int Lent => Volatile.Read(ref _lent);

    /// <summary>Large blocks kept for reuse now, over all pools sharing this budget.</summary>
    public int Kept => Volatile.Read(ref _kept);

    /// <summary>4 KiB blocks kept for reuse now, over all pools sharing this budget.</summary>
    public int SmallKept => Volatile.Read(ref _smallKept);

    /// <summary>Takes one block from the budget; false when <c>lentLimit</c> blocks are out already.</summary>
    public bool TryTake() => TryCount(ref _lent, lentLimit);

    public void Give() => Interlocked.Decrement(ref _lent);

    /// <summary>
    /// Counts one more kept block of its size (4 KiB when <paramref name="small"/>); false when as many as that size
    /// may keep are kept already: drop it.
    /// </summary>
    public bool TryKeep(bool small) =>
        small ? TryCount(ref _smallKept, smallKeptLimit) : TryCount(ref _kept, keptLimit);

    public void Unkeep(bool small) => Interlocked.Decrement(ref small ? ref _smallKept : ref _kept);

    // Counted before the caller acts, so concurrent callers cannot overshoot the limit.
    private static bool TryCount(ref int count, int limit)
    {
        if (Interlocked.Increment(ref count) > limit)
        {
            Interlocked.Decrement(ref count);
            return false;
        }

        return true;
    }
}
