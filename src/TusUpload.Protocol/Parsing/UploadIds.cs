using System.Security.Cryptography;
using System.Text;

namespace TusUpload.Protocol.Parsing;

/// <summary>
/// Upload ids are 128 random bits as 32 lower-case hex digits. Anything else in the id position of a URL is
/// answered 404 before it reaches a store, which rules out path traversal by construction.
/// </summary>
public static class UploadIds
{
    public const int Length = 32;

    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static bool IsValid(string? id)
    {
        if (id is null || id.Length != Length)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The id of a final upload, derived from what identifies the request so that a retried creation finds the
    /// same final. Partial ids are unguessable, so knowing the list is the proof of ownership. The metadata counts
    /// too: the same partials joined under other metadata are another final, not the first one renamed.
    /// </summary>
    public static string FinalId(string? idempotencyKey, IReadOnlyList<string> partialIds, string? metadata = null)
    {
        var text = new StringBuilder("tus-final\n");
        if (idempotencyKey is not null)
        {
            text.Append("key:").Append(idempotencyKey).Append('\n');
        }

        if (metadata is not null)
        {
            text.Append("metadata:").Append(metadata).Append('\n');
        }

        foreach (var partialId in partialIds)
        {
            text.Append(partialId).Append('\n');
        }

        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
        return Convert.ToHexStringLower(digest.AsSpan(0, 16));
    }
}
