using System.Buffers;
using System.Security.Cryptography;

namespace TusUpload.Store.S3;

/// <summary>
/// The bytes of one part while they are collected, in pooled segments of 64 KiB taken only as bytes arrive: a request
/// holds memory for the bytes it has rather than for a whole part up front (most uploads are far smaller than a
/// part). Segments stay below the large-object threshold, so those the shared pool does not keep are collected
/// young instead of growing the large-object heap.
/// </summary>
internal sealed class PartBuffer(int capacity) : IDisposable
{
    public const int SegmentSize = 64 * 1024;

    private readonly List<byte[]> _segments = [];

    public int Capacity { get; } = capacity;

    public int Length { get; private set; }

    public int Room => Capacity - Length;

    /// <summary>Copies as much of <paramref name="data"/> as fits and returns how many bytes that was.</summary>
    public int Append(ReadOnlySpan<byte> data)
    {
        var taken = Math.Min(data.Length, Room);
        var rest = data[..taken];
        while (!rest.IsEmpty)
        {
            var target = NextFreeMemory(rest.Length).Span;
            rest[..target.Length].CopyTo(target);
            rest = rest[target.Length..];
            Length += target.Length;
        }

        return taken;
    }

    /// <summary>Reads <paramref name="source"/> to its end into the free room; returns the bytes read.</summary>
    public async Task<int> FillAsync(Stream source, CancellationToken cancellationToken)
    {
        var before = Length;
        while (Room > 0)
        {
            var read = await source.ReadAsync(NextFreeMemory(Room), cancellationToken);
            if (read == 0)
            {
                return Length - before;
            }

            Length += read;
        }

        // A source longer than the room is not what the caller recorded; one more byte tells it so.
        return Length - before + (await source.ReadAsync(new byte[1], cancellationToken));
    }

    /// <summary>A seekable read-only view of the bytes, so the S3 client can rewind it for a retry.</summary>
    public Stream OpenRead() => new PartBufferStream(this);

    public string Sha256Hex()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var position = 0; position < Length; position += SegmentSize)
        {
            hash.AppendData(Slice(position, Length - position));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The contiguous bytes from <paramref name="position"/>, at most <paramref name="count"/>.</summary>
    public ReadOnlySpan<byte> Slice(int position, int count)
    {
        var offset = position % SegmentSize;
        return _segments[position / SegmentSize].AsSpan(offset, Math.Min(count, SegmentSize - offset));
    }

    public void Dispose()
    {
        foreach (var segment in _segments)
        {
            ArrayPool<byte>.Shared.Return(segment);
        }

        _segments.Clear();
        Length = 0;
    }

    private Memory<byte> NextFreeMemory(int wanted)
    {
        var index = Length / SegmentSize;
        if (index == _segments.Count)
        {
            _segments.Add(ArrayPool<byte>.Shared.Rent(SegmentSize));
        }

        var offset = Length % SegmentSize;
        return _segments[index].AsMemory(offset, Math.Min(wanted, SegmentSize - offset));
    }
}
