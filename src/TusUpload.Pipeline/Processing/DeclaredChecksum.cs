using System.Buffers.Text;
using System.Text;

namespace TusUpload.Pipeline.Processing;

/// <summary>
/// A client-declared SHA-256 from the upload's metadata: key <c>sha256</c>, value the digest as 64 hex digits or
/// as base64 of the 32 bytes (tus metadata values are themselves base64, so this is base64 of that text).
/// </summary>
public sealed class DeclaredChecksum
{
    public const string MetadataKey = "sha256";

    private DeclaredChecksum(string? sha256Hex, string? problem)
    {
        Sha256Hex = sha256Hex;
        Problem = problem;
    }

    /// <summary>Lower-case hex digest, or null when none was declared or it was unreadable.</summary>
    public string? Sha256Hex { get; }

    /// <summary>Why the declared value cannot be a SHA-256; null when it can or when none was declared.</summary>
    public string? Problem { get; }

    public static DeclaredChecksum None { get; } = new(null, null);

    /// <summary>Reads the <c>sha256</c> pair from an <c>Upload-Metadata</c> value (pairs "key base64value").</summary>
    public static DeclaredChecksum FromMetadata(string? metadata)
    {
        if (string.IsNullOrEmpty(metadata))
        {
            return None;
        }

        const StringSplitOptions split = StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries;
        foreach (var pair in metadata.Split(',', split))
        {
            var space = pair.IndexOf(' ', StringComparison.Ordinal);
            var key = space < 0 ? pair : pair[..space];
            if (!string.Equals(key, MetadataKey, StringComparison.Ordinal))
            {
                continue;
            }

            var encoded = space < 0 ? string.Empty : pair[(space + 1)..].Trim();
            return Parse(DecodeMetadataValue(encoded));
        }

        return None;
    }

    public bool Matches(string sha256Hex) => string.Equals(Sha256Hex, sha256Hex, StringComparison.Ordinal);

    private static string? DecodeMetadataValue(string encoded)
    {
        var bytes = new byte[Base64.GetMaxDecodedFromUtf8Length(encoded.Length)];
        return Convert.TryFromBase64String(encoded, bytes, out var written)
            ? Encoding.UTF8.GetString(bytes, 0, written).Trim()
            : null;
    }

    private static DeclaredChecksum Parse(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return new DeclaredChecksum(null, "the sha256 metadata value is empty or not base64");
        }

        if (value.Length == 64 && value.All(Uri.IsHexDigit))
        {
            return new DeclaredChecksum(value.ToLowerInvariant(), null);
        }

        var digest = new byte[48];
        if (Convert.TryFromBase64String(value, digest, out var written) && written == 32)
        {
            return new DeclaredChecksum(Convert.ToHexStringLower(digest.AsSpan(0, 32)), null);
        }

        return new DeclaredChecksum(null, "the sha256 metadata value is neither 64 hex digits nor base64 of 32 bytes");
    }
}
