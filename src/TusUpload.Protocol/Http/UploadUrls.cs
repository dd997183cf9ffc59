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
            var forwardedProto = NearestValue(request.Headers["X-Forwarded-Proto"]);
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
    private static bool IsHostValue(string host) =>
        host.Length is > 0 and <= 255
        && !host.AsSpan().ContainsAnyExceptInRange('!', '~')
        && Uri.CheckHostName(HostString.FromUriComponent(host).Host) != UriHostNameType.Unknown
        && !host.AsSpan().ContainsAny("/\\@?#%");
}
