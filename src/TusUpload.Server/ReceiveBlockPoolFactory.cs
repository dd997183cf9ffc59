using System.Buffers;
using Microsoft.AspNetCore.Connections;

namespace TusUpload.Server;

/// <summary>
/// Hands Kestrel's transports a <see cref="ReceiveBlockPool"/> in place of its 4 KiB pool. The socket transport asks
/// for one pool per I/O queue (one per core, up to 16) and per listening socket; all of them share one
/// <see cref="ReceiveBlockBudget"/>, so the bounds on 64 KiB blocks lent and kept hold for the process, not per pool.
/// </summary>
internal sealed class ReceiveBlockPoolFactory(ReceiveBlockMetrics metrics, ReceiveBlockBudget budget)
    : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new ReceiveBlockPool(metrics, budget);
}
