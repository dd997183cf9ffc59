using System.Buffers;
using System.Collections.Concurrent;

namespace TusUpload.Server;

/// <summary>
/// The memory Kestrel receives requests into and writes answers from: pinned blocks of 64 KiB instead of Kestrel's
/// 4 KiB. The socket transport receives into whatever block the pool hands it, so with 4 KiB blocks a 256 KiB
/// PATCH body took 136 <c>recvfrom</c> calls (strace), and the kernel time that goes with each; with 64 KiB blocks
/// it takes 16. Returned blocks are kept for reuse up to <see cref="MaxRetainedBlocks"/>; blocks returned beyond
/// that are left to the garbage collector.
/// </summary>
/// <remarks>
/// A connection that trickles its request holds the block its bytes arrived in until the request is whole, so
/// each slow or idle-in-the-middle connection now holds 64 KiB instead of 4. To keep a crowd of such connections
/// (a slowloris attack, a thousand phones on a bad network) from holding sixteen times the memory, at most
/// <see cref="MaxLentBlocks"/> large blocks (64 MiB) are out at once; beyond that the pool lends 4 KiB blocks, as
/// Kestrel's would, and keeps up to <see cref="MaxRetainedSmallBlocks"/> of those for reuse, so that a crowd that
/// outlasts the bound makes no garbage per receive. Kestrel makes one pool per I/O queue and listening socket, so
/// the bounds live in a <see cref="ReceiveBlockBudget"/> all pools of the <see cref="ReceiveBlockPoolFactory"/>
/// share. What Kestrel's own pool has and this one has not: it gives memory back after a quiet spell (these keep up to
/// <see cref="MaxRetainedBlocks"/> blocks, 16 MiB, over all pools for the life of the process) and it reports the
/// <c>Microsoft.AspNetCore.MemoryPool</c> metrics, which <c>/metrics</c> does not export; this one reports its own
/// (<see cref="ReceiveBlockMetrics"/>).
/// </remarks>
internal sealed class ReceiveBlockPool : MemoryPool<byte>
{
    public const int BlockSize = 64 * 1024;

    public const int SmallBlockSize = 4 * 1024;

    public const int MaxLentBlocks = 1024;

    public const int MaxRetainedBlocks = 256;

    public const int MaxRetainedSmallBlocks = 1024;

    private readonly ConcurrentQueue<ReceiveBlock> _retained = new();

    private readonly ConcurrentQueue<ReceiveBlock> _retainedSmall = new();

    private readonly ReceiveBlockMetrics? _metrics;

    private readonly ReceiveBlockBudget _budget;

    private volatile bool _disposed;

    /// <param name="metrics">Where the pool reports; none in unit tests.</param>
    /// <param name="budget">
    /// The bounds on large blocks lent and kept, shared with the other pools Kestrel made (see
    /// <see cref="ReceiveBlockBudget"/>); without one the pool keeps bounds of its own.
    /// </param>
    public ReceiveBlockPool(ReceiveBlockMetrics? metrics = null, ReceiveBlockBudget? budget = null)
    {
        _metrics = metrics;
        _budget = budget ?? ReceiveBlockBudget.Default();
    }

    public override int MaxBufferSize => BlockSize;

    /// <summary>Large blocks waiting for reuse in this pool now.</summary>
    public int RetainedCount => _retained.Count;

    /// <summary>4 KiB blocks waiting for reuse in this pool now.</summary>
    public int RetainedSmallCount => _retainedSmall.Count;

    /// <summary>Large blocks lent out now, by this pool and every other pool sharing its budget.</summary>
    public int LentCount => _budget.Lent;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);

        if (!_budget.TryTake())
        {
            return RentSmall(minBufferSize);
        }

        if (TryTakeRetained(small: false, out var block))
        {
            block.Lend();
            return block;
        }

        _metrics?.BlockAllocated();
        var fresh = ReceiveBlock.Pooled(this);
        fresh.Lend();
        return fresh;
    }

    internal void Return(ReceiveBlock block)
    {
        // Only large blocks count against the lent bound; each size is kept within its own bound.
        if (!block.IsSmall)
        {
            _budget.Give();
        }

        if (_disposed || !_budget.TryKeep(block.IsSmall))
        {
            return;
        }

        ShelfFor(block.IsSmall).Enqueue(block);

        // A return racing with Dispose may queue after Dispose emptied the queue: empty it again.
        if (_disposed)
        {
            DropRetained();
        }
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        DropRetained();
    }

    private IMemoryOwner<byte> RentSmall(int minBufferSize)
    {
        // Kestrel asks for 4 KiB at most; a larger request over the cap still gets a large block, just not a kept one.
        if (minBufferSize > SmallBlockSize)
        {
            return ReceiveBlock.Unpooled(BlockSize);
        }

        _metrics?.SmallBlockLent();
        if (!TryTakeRetained(small: true, out var block))
        {
            block = ReceiveBlock.Pooled(this, SmallBlockSize);
        }

        block.Lend();
        return block;
    }

    private ConcurrentQueue<ReceiveBlock> ShelfFor(bool small) => small ? _retainedSmall : _retained;

    private bool TryTakeRetained(bool small, out ReceiveBlock block)
    {
        if (!ShelfFor(small).TryDequeue(out block!))
        {
            return false;
        }

        _budget.Unkeep(small);
        return true;
    }

    private void DropRetained()
    {
        while (TryTakeRetained(small: false, out _) || TryTakeRetained(small: true, out _))
        {
        }
    }
}
