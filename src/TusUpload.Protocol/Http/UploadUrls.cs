using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace TusUpload.Protocol.Http;

/// <summary>
/// Builds the absolute URLs the server hands out. Scheme and host come from the request itself; the
/// X-Forwarded-Proto and X-Forwarded-Host headers count only when the peer is a configured trusted proxy (an
/// address or a network).
/// </summary>
public sealed class UploadUrls
{
    private readonly TrustedProxies _trustedProxies;
    private readonly string _basePath;

    public UploadUrls(IOptions<TusOptions> options)
    {
        _basePath = options.Value.BasePath;
        _trustedProxies = new TrustedProxies(options.Value.TrustedProxies);
    }

    /// <summary>
    /// The absolute URL of the upload collection, e.g. <c>http://127.0.0.1:1080/files/</c>. Without a usable host
    /// no URL can be built, so the request is refused with 400; callers ask before they create anything.
    /// </summary>
    public Uri Collection(HttpContext context)
    {
        var request = context.Request;
        var scheme = request.Scheme;
        var host = request.Host.Value;

        if (_trustedProxies.Contains(context.Connection.RemoteIpAddress))
        {
            // Schemes are case-insensitive (RFC 3986, 3.1), so HTTPS counts; the URL carries the canonical lower case.
            var forwardedProto = NearestValue(request.Headers["X-Forwarded-Proto"])?.ToLowerInvariant();
            if (forwardedProto is "http" or "https")
            {
                scheme = forwardedProto;
            }

            var forwardedHost = NearestValue(request.Headers["X-Forwarded-Host"]);
            if (forwardedHost is not null && IsHostValue(forwardedHost))
            {
                host = forwardedHost;
            }
        }

        // HTTP/1.1 lets an empty Host header through (and HTTP/1.0 may omit it), and Kestrel passes both on.
        if (string.IsNullOrEmpty(host))
        {
            throw TusRejection.BadRequest("A Host header is required.");
        }

        return Uri.TryCreate($"{scheme}://{host}{request.PathBase}{_basePath}", UriKind.Absolute, out var collection)
            ? collection
            : throw TusRejection.BadRequest("The Host header is not a valid host.");
    }

    public string Location(HttpContext context, string uploadId) => new Uri(Collection(context), uploadId).AbsoluteUri;

    /// <summary>
    /// The value the trusted proxy itself set: the last one. Proxies that append to these headers keep what the
    /// client sent in front, so the first value is the client's choice and would let it pick the Location host.
    /// </summary>
    private static string? NearestValue(string? header)
    {
        if (string.IsNullOrEmpty(header))
        {
            return null;
        }

        var comma = header.LastIndexOf(',');
        var value = (comma < 0 ? header : header[(comma + 1)..]).Trim();
        return value.Length == 0 ? null : value;
    }

    /// <summary>
    /// A plain host[:port] in visible ASCII. Kestrel lets control characters and UTF-8 through in header values,
    /// and <see cref="Uri.CheckHostName"/> takes a non-ASCII name as an internationalised DNS name, but such a
    /// value cannot go into the <c>Location</c> header: it would fail the response after the upload was made.
    /// </summary>
    private static bool IsHostValue(string value)
    {
        if (value.Length is 0 or > 255
            || value.AsSpan().ContainsAnyExceptInRange('!', '~')
            || value.AsSpan().ContainsAny("/\\@?#%"))
        {
            return false;
        }

        // Split here rather than by HostString, which drops what follows a bracketed address and takes an
        // unbracketed IPv6 address for a name: both would pass the check below and then fail to make a URL.
        var hostEnd = HostEnd(value);
        var port = value.AsSpan(hostEnd);
        return hostEnd > 0
            && Uri.CheckHostName(value[..hostEnd]) != UriHostNameType.Unknown
            && (port.IsEmpty || (port[0] == ':' && IsPort(port[1..])));
    }

    /// <summary>Where the host ends: after a bracketed address, else at the first colon; 0 when nowhere.</summary>
    private static int HostEnd(string value)
    {
        if (value[0] == '[')
        {
            return value.IndexOf(']') + 1;
        }

        var colon = value.IndexOf(':');
        return colon < 0 ? value.Length : colon;
    }

    /// <summary>
    /// 1 to 65535 in plain digits. A sign, a letter or a number out of range makes no URL, and port 0 reaches
    /// no server, so a forwarded host with such a port is ignored like any other unusable value.
    /// </summary>
    private static bool IsPort(ReadOnlySpan<char> port) =>
        port.Length is > 0 and <= 5
        && !port.ContainsAnyExceptInRange('0', '9')
        && int.Parse(port, CultureInfo.InvariantCulture) is > 0 and <= 65535;
}
