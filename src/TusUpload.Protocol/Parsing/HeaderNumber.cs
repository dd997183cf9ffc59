namespace TusUpload.Protocol.Parsing;

/// <summary>
/// Parses <c>Upload-Offset</c> and <c>Upload-Length</c>. The protocol: "The value MUST be a non-negative integer";
/// we accept only ASCII digits that fit in a signed 64-bit number, so <c>+5</c>, <c>-1</c>, <c>1.5</c>,
/// an empty value and 2^63 are all refused.
/// </summary>
public static class HeaderNumber
{
    public static bool TryParse(string? value, out long number)
    {
        number = 0;

        if (string.IsNullOrEmpty(value) || value.Length > 19)
        {
            return false;
        }

        ulong accumulated = 0;
        foreach (var c in value)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            accumulated = (accumulated * 10) + (ulong)(c - '0');
        }

        // Nineteen digits never overflow an unsigned 64-bit number, so one comparison catches 2^63 and above.
        if (accumulated > long.MaxValue)
        {
            return false;
        }

        number = (long)accumulated;
        return true;
    }
}
