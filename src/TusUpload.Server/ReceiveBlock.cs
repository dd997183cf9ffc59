using System.Buffers;

namespace TusUpload.Server;

/// <summary>
/// One block lent by <see cref="ReceiveBlockPool"/>: a pinned block that goes back to its pool (64 KiB, or 4 KiB
/// while the pool's large blocks are all out), or an unpooled 64 KiB one, left to the garbage collector, for a
/// request of more than 4 KiB in that state. Disposing gives a loan back once; a second dispose of the same loan
/// would let two owners share the memory, so it is refused.
/// </summary>
internal sealed class ReceiveBlock : IMemoryOwner<byte>
{
    private readonly ReceiveBlockPool? _pool;
    private readonly byte[] _bytes;
    private int _lent;

    private ReceiveBlock(ReceiveBlockPool? pool, byte[] bytes)
    {
        _pool = pool;
        _bytes = bytes;
    }

    public Memory<byte> Memory => _bytes;

    public static ReceiveBlock Pooled(ReceiveBlockPool pool, int size = ReceiveBlockPool.BlockSize) =>
        new(pool, GC.AllocateUninitializedArray<byte>(size, pinned: true));

    /// <summary>A 4 KiB block, lent while the pool's large blocks are all out; kept apart from those.</summary>
    public bool IsSmall => _bytes.Length == ReceiveBlockPool.SmallBlockSize;

    public static ReceiveBlock Unpooled(int size)
    {
        var block = new ReceiveBlock(null, GC.AllocateUninitializedArray<byte>(size));
        block.Lend();
        return block;
    }

    internal void Lend() => Volatile.Write(ref _lent, 1);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _lent, 0) == 0)
        {
            throw new InvalidOperationException("A receive block was returned twice.");
        }

        _pool?.Return(this);
    }
}
