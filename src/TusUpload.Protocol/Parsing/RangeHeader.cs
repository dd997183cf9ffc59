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

        if (!TryParsePosition(firstText, out var first))
        {
            return RangeOutcome.Whole;
        }

        var last = contentLength - 1;
        if (lastText.Length > 0)
        {
            // "A range-spec is invalid if the last-pos value is present and less than the first-pos."
            if (!TryParsePosition(lastText, out last) || IsLess(lastText, last, firstText, first))
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
        if (!TryParsePosition(lastText, out var suffix))
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

    /// <summary>
    /// A position of one or more ASCII digits. One past <see cref="long.MaxValue"/> is still well-formed (RFC 9110
    /// puts no bound on it) and lies past any content, so it is read as <see cref="long.MaxValue"/>: a last position
    /// is clamped to the end, a first one is unsatisfiable and a suffix covers everything.
    /// </summary>
    private static bool TryParsePosition(string text, out long position)
    {
        position = 0;
        if (text.Length == 0)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            var digit = c - '0';
            position = position > (long.MaxValue - digit) / 10 ? long.MaxValue : (position * 10) + digit;
        }

        return true;
    }

    /// <summary>Compares two positions by their digits when both were too large to read exactly.</summary>
    private static bool IsLess(string leftText, long left, string rightText, long right)
    {
        if (left != long.MaxValue || right != long.MaxValue)
        {
            return left < right;
        }

        var leftDigits = leftText.AsSpan().TrimStart('0');
        var rightDigits = rightText.AsSpan().TrimStart('0');
        return leftDigits.Length != rightDigits.Length
            ? leftDigits.Length < rightDigits.Length
            : leftDigits.SequenceCompareTo(rightDigits) < 0;
    }
}
