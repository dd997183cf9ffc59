using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using TusUpload.Protocol.Parsing;

namespace TusUpload.Protocol.Http;

/// <summary>Reads tus request headers, refusing malformed ones with 400 and a reason that names the header.</summary>
public static class RequestHeaders
{
    /// <summary>A header's only value; null when absent. Repeating a tus header is ambiguous and refused.</summary>
    public static string? Single(HttpRequest request, string name)
    {
        var values = request.Headers[name];
        if (values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1)
        {
            throw TusRejection.BadRequest($"{name} must appear once.");
        }

        return values[0] ?? string.Empty;
    }

    public static long? Number(HttpRequest request, string name)
    {
        var value = Single(request, name);
        if (value is null)
        {
            return null;
        }

        if (!HeaderNumber.TryParse(value, out var number))
        {
            throw TusRejection.BadRequest($"{name} must be a non-negative base-10 integer below 2^63.");
        }

        return number;
    }

    public static ChecksumHeader? Checksum(HttpRequest request)
    {
        var value = Single(request, TusHeaders.UploadChecksum);
        if (value is null)
        {
            return null;
        }

        if (!ChecksumHeader.TryParse(value, out var checksum, out var error))
        {
            throw TusRejection.BadRequest(error!);
        }

        return checksum;
    }

    /// <summary>True when the request announces <c>Trailer: Upload-Checksum</c> (checksum-trailer extension).</summary>
    public static bool AnnouncesChecksumTrailer(HttpRequest request)
    {
        foreach (var name in ListElements(request.Headers["Trailer"]))
        {
            if (name.Equals(TusHeaders.UploadChecksum, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>P1: "The Request MUST include a Content-Type header with value application/offset+…".</summary>
    public static void RequireOffsetOctetStream(HttpRequest request)
    {
        if (!IsOffsetOctetStream(request))
        {
            throw new TusRejection(415, $"Content-Type must be {TusHeaders.OffsetOctetStream}.");
        }
    }

    public static bool IsOffsetOctetStream(HttpRequest request)
    {
        var contentType = request.ContentType;
        if (contentType is null)
        {
            return false;
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        var mediaType = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        return mediaType.Equals(TusHeaders.OffsetOctetStream, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// "A server that receives a request message with a transfer coding it does not understand SHOULD respond with
    /// 501 (Not Implemented)" (RFC 9112, 6.1). Kestrel removes only the chunked framing, so a body sent as
    /// <c>gzip, chunked</c> would otherwise be stored still compressed. Refused before anything is read or stored.
    /// </summary>
    public static void RequireOnlyChunkedTransferCoding(HttpRequest request)
    {
        foreach (var coding in ListElements(request.Headers.TransferEncoding))
        {
            if (!coding.Equals("chunked", StringComparison.OrdinalIgnoreCase))
            {
                throw new TusRejection(501, "Transfer-Encoding other than chunked is not supported.");
            }
        }
    }

    /// <summary>False when the request has neither a Content-Length above zero nor a chunked body.</summary>
    public static bool HasBody(HttpContext context)
    {
        if (context.Request.ContentLength is { } length)
        {
            return length > 0;
        }

        return context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? false;
    }

    /// <summary>The elements of a comma-separated header over all its lines, trimmed; empty elements skipped.</summary>
    private static IEnumerable<string> ListElements(StringValues values) =>
        values.SelectMany(value => (value ?? string.Empty).Split(
            ',',
            StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
}
