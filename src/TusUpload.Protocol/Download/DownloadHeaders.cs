using System.Text;
using TusUpload.Protocol.Parsing;

namespace TusUpload.Protocol.Download;

/// <summary>
/// Safe <c>Content-Type</c> and <c>Content-Disposition</c> for a download. Client metadata is untrusted: a type
/// is used only when it is a well-formed media type, inline display only for types a browser cannot run as a
/// page, and the file name is encoded per RFC 6266 / RFC 8187 so no byte of it reaches the header raw.
/// </summary>
public static class DownloadHeaders
{
    public const string DefaultContentType = "application/octet-stream";

    private static readonly HashSet<string> s_inlineTypes = new(StringComparer.Ordinal)
    {
        "image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp",
        "video/mp4", "video/webm", "video/ogg", "audio/mpeg", "audio/ogg", "audio/wav", "audio/webm",
        "audio/flac", "text/plain",
    };

    public static string ContentType(UploadMetadata metadata)
    {
        foreach (var key in (ReadOnlySpan<string>)["filetype", "contentType", "type"])
        {
            if (metadata.TryGetString(key, out var value))
            {
                return IsMediaType(value) ? value.ToLowerInvariant() : DefaultContentType;
            }
        }

        return DefaultContentType;
    }

    public static string ContentDisposition(UploadMetadata metadata, string contentType, string fallbackName)
    {
        var disposition = s_inlineTypes.Contains(contentType) ? "inline" : "attachment";
        var name = fallbackName;
        foreach (var key in (ReadOnlySpan<string>)["filename", "name"])
        {
            if (metadata.TryGetString(key, out var value) && value.Length > 0)
            {
                name = value;
                break;
            }
        }

        name = SafeName(name, fallbackName);
        return $"{disposition}; filename=\"{AsciiFallback(name)}\"; filename*=UTF-8''{Rfc8187(name)}";
    }

    /// <summary>type "/" subtype, both RFC 9110 tokens, no parameters, at most 127 characters.</summary>
    public static bool IsMediaType(string value)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        return value.Length <= 127
            && slash > 0
            && slash < value.Length - 1
            && IsToken(value.AsSpan(0, slash))
            && IsToken(value.AsSpan(slash + 1));
    }

    private static bool IsToken(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            var ok = char.IsAsciiLetterOrDigit(c) || "!#$&^_.+-".Contains(c, StringComparison.Ordinal);
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The name with path separators and control characters (NUL included) replaced by <c>_</c> in both forms, so
    /// that a client saving the file as named cannot be steered into another folder; a name of dots alone, which
    /// names a folder, becomes <paramref name="fallbackName"/>.
    /// </summary>
    private static string SafeName(string name, string fallbackName)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append(c is '/' or '\\' || char.IsControl(c) ? '_' : c);
        }

        var safe = builder.ToString();
        return safe.AsSpan().Trim('.').IsEmpty ? fallbackName : safe;
    }

    private static string AsciiFallback(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append(c is >= ' ' and <= '~' and not '"' and not '\\' and not '%' ? c : '_');
        }

        return builder.ToString();
    }

    /// <summary>RFC 8187 ext-value: attr-chars stay, every other UTF-8 byte is percent-encoded.</summary>
    private static string Rfc8187(string name)
    {
        var builder = new StringBuilder(name.Length * 3);
        foreach (var b in Encoding.UTF8.GetBytes(name))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || "!#$&+-.^_`|~".Contains(c, StringComparison.Ordinal))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
