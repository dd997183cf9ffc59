using System.Security.Cryptography;
using TusUpload.Protocol.Storage;

namespace TusUpload.Stores.IntegrationTests;

internal static class TestData
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static byte[] Bytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static UploadInfo Upload(long? length, UploadConcat? concat = null) => new()
    {
        Id = NewId(),
        Length = length,
        Metadata = "filename dGVzdC5iaW4=",
        Concat = concat ?? UploadConcat.None,
        CreatedAt = DateTimeOffset.UtcNow,
        ExpiresAt = DateTimeOffset.UtcNow.AddDays(1),
    };

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        await using (stream)
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy).WaitAsync(Timeout);
            return copy.ToArray();
        }
    }
}
