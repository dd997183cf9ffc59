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
/// What Kestrel's own pool has and this one has not: it gives memory back after a quiet spell (this one keeps up to
/// <see cref="MaxRetainedBlocks"/> blocks, 16 MiB, for the life of the process) and it reports the
/// <c>Microsoft.AspNetCore.MemoryPool</c> metrics, which <c>/metrics</c> does not export; this one reports its own
/// (<see cref="ReceiveBlockMetrics"/>).
/// </remarks>
internal sealed class ReceiveBlockPool : MemoryPool<byte>
{
    public const int BlockSize = 64 * 1024;

    public const int MaxRetainedBlocks = 256;

    private readonly ConcurrentQueue<ReceiveBlock> _retained = new();
    private readonly ReceiveBlockMetrics? _metrics;
    private int _retainedCount;
    private volatile bool _disposed;

    public ReceiveBlockPool(ReceiveBlockMetrics? metrics = null)
    {
        _metrics = metrics;
        metrics?.Track(this);
    }

    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks waiting for reuse now.</summary>
    public int RetainedCount => Volatile.Read(ref _retainedCount);

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);

        if (_retained.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _retainedCount);
            block.Lend();
            return block;
        }

        _metrics?.BlockAllocated();
        var fresh = new ReceiveBlock(this);
        fresh.Lend();
        return fresh;
    }

    internal void Return(ReceiveBlock block)
    {
        // Counted before the block is queued, so concurrent returns cannot overshoot the bound.
        if (_disposed || Interlocked.Increment(ref _retainedCount) > MaxRetainedBlocks)
        {
            if (!_disposed)
            {
                Interlocked.Decrement(ref _retainedCount);
            }

            return;
        }

        _retained.Enqueue(block);
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        _retained.Clear();
    }
}
