namespace TusUpload.Protocol.Parsing;

/// <summary>
/// A single-range <c>Range: bytes=…</c> header (RFC 9110 §14.1.2). Several ranges or a malformed header are
/// ignored and the whole content is served, which the RFC allows; multipart/byteranges is not produced.
/// </summary>
public static class RangeHeader
{
    public static RangeOutcome Evaluate(string? header, long contentLength, out ByteRange range)
    {
        range = new ByteRange(0, contentLength);

        if (string.IsNullOrEmpty(header)
            || !header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase)
            || header.Contains(',', StringComparison.Ordinal))
        {
            return RangeOutcome.Whole;
        }

        var spec = header.AsSpan(6).Trim();
        var dash = spec.IndexOf('-');
        if (dash < 0)
        {
            return RangeOutcome.Whole;
        }

        var firstText = spec[..dash].Trim().ToString();
        var lastText = spec[(dash + 1)..].Trim().ToString();

        if (firstText.Length == 0)
        {
            return EvaluateSuffix(lastText, contentLength, ref range);
        }

        if (!HeaderNumber.TryParse(firstText, out var first))
        {
            return RangeOutcome.Whole;
        }

        var last = contentLength - 1;
        if (lastText.Length > 0)
        {
            if (!HeaderNumber.TryParse(lastText, out last) || last < first)
            {
                return RangeOutcome.Whole;
            }
        }

        if (first >= contentLength)
        {
            return RangeOutcome.Unsatisfiable;
        }

        last = Math.Min(last, contentLength - 1);
        range = new ByteRange(first, last - first + 1);
        return RangeOutcome.Partial;
    }

    private static RangeOutcome EvaluateSuffix(string lastText, long contentLength, ref ByteRange range)
    {
        if (!HeaderNumber.TryParse(lastText, out var suffix))
        {
            return RangeOutcome.Whole;
        }

        if (suffix == 0 || contentLength == 0)
        {
            return RangeOutcome.Unsatisfiable;
        }

        var length = Math.Min(suffix, contentLength);
        range = new ByteRange(contentLength - length, length);
        return RangeOutcome.Partial;
    }
}
