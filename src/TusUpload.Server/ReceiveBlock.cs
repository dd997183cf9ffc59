using System.Buffers;

namespace TusUpload.Server;

/// <summary>
/// One pinned block of <see cref="ReceiveBlockPool"/>. Disposing it gives it back to the pool once; a second
/// dispose of the same loan would let two owners share the memory, so it is refused loudly instead.
/// </summary>
internal sealed class ReceiveBlock : IMemoryOwner<byte>
{
    private readonly ReceiveBlockPool _pool;
    private readonly byte[] _bytes = GC.AllocateUninitializedArray<byte>(ReceiveBlockPool.BlockSize, pinned: true);
    private int _lent;

    public ReceiveBlock(ReceiveBlockPool pool)
    {
        _pool = pool;
    }

    public Memory<byte> Memory => _bytes;

    internal void Lend() => Volatile.Write(ref _lent, 1);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _lent, 0) == 0)
        {
            throw new InvalidOperationException("A pooled receive block was returned twice.");
        }

        _pool.Return(this);
    }
}
