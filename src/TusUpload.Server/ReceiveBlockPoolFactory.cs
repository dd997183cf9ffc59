using System.Buffers;
using Microsoft.AspNetCore.Connections;

namespace TusUpload.Server;

/// <summary>Hands Kestrel's transports a <see cref="ReceiveBlockPool"/> in place of its 4 KiB pool.</summary>
internal sealed class ReceiveBlockPoolFactory(ReceiveBlockMetrics metrics) : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new ReceiveBlockPool(metrics);
}
