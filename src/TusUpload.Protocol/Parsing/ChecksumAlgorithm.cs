using System.Security.Cryptography;

namespace TusUpload.Protocol.Parsing;

/// <summary>The checksum algorithms the server offers, by their lower-case tus names.</summary>
public static class ChecksumAlgorithm
{
    /// <summary>Value of <c>Tus-Checksum-Algorithm</c>.</summary>
    public const string Advertised = "sha1,md5,sha256,sha512";

    public static IReadOnlyList<string> Names { get; } = ["sha1", "md5", "sha256", "sha512"];

    public static bool TryGet(string name, out HashAlgorithmName algorithm, out int digestBytes)
    {
        (algorithm, digestBytes) = name switch
        {
            "sha1" => (HashAlgorithmName.SHA1, 20),
            "md5" => (HashAlgorithmName.MD5, 16),
            "sha256" => (HashAlgorithmName.SHA256, 32),
            "sha512" => (HashAlgorithmName.SHA512, 64),
            _ => (default, 0),
        };

        return digestBytes != 0;
    }
}
