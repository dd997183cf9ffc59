namespace TusUpload.ClamAV;

// Turns clamd's INSTREAM reply into a verdict. Only the exact "stream: OK" is clean; anything unexpected is an
// Error verdict, so a garbled or truncated reply can never pass content as clean.
internal static class ClamdReply
{
    private const string StreamPrefix = "stream: ";
    private const string FoundSuffix = " FOUND";
    private const string ErrorSuffix = " ERROR";
    private const int MaxQuotedLength = 200;

    public static ScanVerdict ParseScan(string reply)
    {
        var text = reply.Trim();

        // clamd ends every failure with ERROR, e.g. "INSTREAM size limit exceeded. ERROR".
        if (text.EndsWith(ErrorSuffix, StringComparison.Ordinal))
        {
            var reason = WithoutStreamPrefix(text[..^ErrorSuffix.Length]).Trim();
            return ScanVerdict.Error(reason.Length > 0 ? $"clamd: {reason}" : "clamd reported an error");
        }

        if (text.StartsWith(StreamPrefix, StringComparison.Ordinal))
        {
            var body = text[StreamPrefix.Length..];
            if (body == "OK")
            {
                return ScanVerdict.Clean;
            }

            if (body.EndsWith(FoundSuffix, StringComparison.Ordinal))
            {
                var signature = body[..^FoundSuffix.Length].Trim();
                if (signature.Length > 0)
                {
                    return ScanVerdict.Infected(signature);
                }
            }
        }

        return ScanVerdict.Error($"unexpected reply from clamd: '{Quote(text)}'");
    }

    private static string WithoutStreamPrefix(string text) =>
        text.StartsWith(StreamPrefix, StringComparison.Ordinal) ? text[StreamPrefix.Length..] : text;

    private static string Quote(string text) =>
        text.Length <= MaxQuotedLength ? text : string.Concat(text.AsSpan(0, MaxQuotedLength), "…");
}
