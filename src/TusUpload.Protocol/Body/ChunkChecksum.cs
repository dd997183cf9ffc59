using System.Security.Cryptography;
using TusUpload.Protocol.Parsing;

namespace TusUpload.Protocol.Body;

/// <summary>
/// Hashes a chunk while it streams. With a header checksum the algorithm is known up front; with a trailer it
/// is not, so every offered algorithm runs until the trailer names one.
/// </summary>
internal sealed class ChunkChecksum : IDisposable
{
    private readonly List<(string Name, IncrementalHash Hash)> _hashes = [];

    private ChunkChecksum()
    {
    }

    public static ChunkChecksum ForHeader(ChecksumHeader header)
    {
        var checksum = new ChunkChecksum();
        checksum._hashes.Add((header.AlgorithmName, IncrementalHash.CreateHash(header.Algorithm)));
        return checksum;
    }

    public static ChunkChecksum ForTrailer()
    {
        var checksum = new ChunkChecksum();
        foreach (var name in ChecksumAlgorithm.Names)
        {
            ChecksumAlgorithm.TryGet(name, out var algorithm, out _);
            checksum._hashes.Add((name, IncrementalHash.CreateHash(algorithm)));
        }

        return checksum;
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        foreach (var (_, hash) in _hashes)
        {
            hash.AppendData(data);
        }
    }

    public bool Matches(ChecksumHeader expected)
    {
        foreach (var (name, hash) in _hashes)
        {
            if (name == expected.AlgorithmName)
            {
                Span<byte> digest = stackalloc byte[64];
                var length = hash.GetHashAndReset(digest);
                return CryptographicOperations.FixedTimeEquals(digest[..length], expected.Digest);
            }
        }

        return false;
    }

    public void Dispose()
    {
        foreach (var (_, hash) in _hashes)
        {
            hash.Dispose();
        }
    }
}
