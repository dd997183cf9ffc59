using System.Security.Cryptography;

namespace TusUpload.Protocol.Parsing;

/// <summary>
/// <c>Upload-Checksum</c>: "The header MUST consist of the name of the used checksum algorithm and the Base64
/// encoded checksum separated by a space."
/// </summary>
public sealed record ChecksumHeader(string AlgorithmName, HashAlgorithmName Algorithm, byte[] Digest)
{
    public static bool TryParse(string? header, out ChecksumHeader? checksum, out string? error)
    {
        checksum = null;
        error = null;

        if (string.IsNullOrEmpty(header))
        {
            error = "Upload-Checksum is empty.";
            return false;
        }

        var space = header.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || space == header.Length - 1)
        {
            error = "Upload-Checksum must be '<algorithm> <base64 digest>'.";
            return false;
        }

        var name = header[..space];
        if (!ChecksumAlgorithm.TryGet(name, out var algorithm, out var digestBytes))
        {
            error = $"Upload-Checksum algorithm is not supported; use one of {ChecksumAlgorithm.Advertised}.";
            return false;
        }

        var encoded = header[(space + 1)..];
        var digest = new byte[digestBytes];
        if (encoded.Length != ((digestBytes + 2) / 3) * 4
            || !Convert.TryFromBase64String(encoded, digest, out var written)
            || written != digestBytes)
        {
            error = $"Upload-Checksum digest is not a base64 {name} digest.";
            return false;
        }

        checksum = new ChecksumHeader(name, algorithm, digest);
        return true;
    }
}
