using System.Buffers.Text;
using System.Text;

namespace TusUpload.Protocol.Parsing;

/// <summary>
/// The <c>Upload-Metadata</c> grammar: "one or more comma-separated key-value pairs. The key and value MUST be
/// separated by a space. The key MUST NOT contain spaces and commas and MUST NOT be empty. The key SHOULD be
/// ASCII encoded and the value MUST be Base64 encoded. All keys MUST be unique. The value MAY be empty."
/// </summary>
public sealed class UploadMetadata
{
    private readonly Dictionary<string, byte[]> _values;

    private UploadMetadata(Dictionary<string, byte[]> values)
    {
        _values = values;
    }

    public static UploadMetadata Empty { get; } = new(new Dictionary<string, byte[]>(StringComparer.Ordinal));

    public int Count => _values.Count;

    public IEnumerable<string> Keys => _values.Keys;

    /// <summary>Validates a header value; on failure <paramref name="error"/> is a one-line reason.</summary>
    public static bool TryParse(string? header, out UploadMetadata metadata, out string? error)
    {
        metadata = Empty;
        error = null;

        if (header is null)
        {
            return true;
        }

        var values = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var rawPair in header.Split(','))
        {
            if (!TryParsePair(rawPair.Trim(' '), out var key, out var value, out error))
            {
                return false;
            }

            if (!values.TryAdd(key, value))
            {
                error = $"Upload-Metadata repeats the key '{key}'.";
                return false;
            }
        }

        metadata = new UploadMetadata(values);
        return true;
    }

    public bool TryGetString(string key, out string value)
    {
        value = string.Empty;
        if (!_values.TryGetValue(key, out var bytes))
        {
            return false;
        }

        try
        {
            value = new UTF8Encoding(false, true).GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    public byte[]? GetBytes(string key) => _values.TryGetValue(key, out var bytes) ? bytes : null;

    private static bool TryParsePair(string pair, out string key, out byte[] value, out string? error)
    {
        key = string.Empty;
        value = [];
        error = null;

        var space = pair.IndexOf(' ', StringComparison.Ordinal);
        key = space < 0 ? pair : pair[..space];
        var encoded = space < 0 ? string.Empty : pair[(space + 1)..];

        if (key.Length == 0)
        {
            error = "Upload-Metadata has an empty key.";
            return false;
        }

        foreach (var c in key)
        {
            // Keys are echoed in HEAD, so only visible ASCII is allowed; spaces and commas cannot occur here.
            if (c is < '!' or > '~')
            {
                error = "Upload-Metadata keys must be visible ASCII without spaces or commas.";
                return false;
            }
        }

        if (encoded.Contains(' ', StringComparison.Ordinal))
        {
            error = $"Upload-Metadata value of '{key}' contains a space.";
            return false;
        }

        if (!TryDecodeBase64(encoded, out value))
        {
            error = $"Upload-Metadata value of '{key}' is not valid base64.";
            return false;
        }

        return true;
    }

    private static bool TryDecodeBase64(string encoded, out byte[] value)
    {
        value = [];
        if (encoded.Length == 0)
        {
            return true;
        }

        // Strict RFC 4648: padded, standard alphabet, no whitespace (Convert would skip whitespace).
        if (encoded.Length % 4 != 0 || !Base64.IsValid(encoded.AsSpan(), out var decodedLength))
        {
            return false;
        }

        foreach (var c in encoded)
        {
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                return false;
            }
        }

        value = new byte[decodedLength];
        return Convert.TryFromBase64String(encoded, value, out _);
    }
}
