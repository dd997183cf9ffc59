using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using TusUpload.Protocol.Http;

namespace TusUpload.Protocol.Tests.Http;

public sealed class UploadUrlsTests
{
    private const string OwnHost = "files.internal:8080";

    private readonly UploadUrls _urls = new(Options.Create(new TusOptions { TrustedProxies = ["127.0.0.1"] }));

    [Theory]
    [InlineData("uploads.example:99999")]
    [InlineData("uploads.example:65536")]
    [InlineData("uploads.example:abc")]
    [InlineData("uploads.example:-1")]
    [InlineData("uploads.example:+80")]
    [InlineData("uploads.example: 80")]
    [InlineData("uploads.example:0")]
    [InlineData("uploads.example:")]
    [InlineData("uploads.example:80:81")]
    [InlineData("[::1]:99999")]
    [InlineData("[::1]:")]
    [InlineData("[::1]x")]
    [InlineData("[::1")]
    [InlineData("::1")]
    [InlineData(":80")]
    public void A_trusted_forwarded_host_without_a_usable_port_is_ignored_for_the_requests_host(string forwarded)
    {
        var context = Request(forwarded, forwardedProto: null);

        var collection = _urls.Collection(context);

        Assert.Equal($"http://{OwnHost}/files/", collection.AbsoluteUri);
    }

    [Theory]
    [InlineData("uploads.example:1", "http://uploads.example:1/files/")]
    [InlineData("uploads.example:65535", "http://uploads.example:65535/files/")]
    [InlineData("uploads.example:8443", "http://uploads.example:8443/files/")]
    [InlineData("uploads.example", "http://uploads.example/files/")]
    [InlineData("[::1]:8443", "http://[::1]:8443/files/")]
    [InlineData("[::1]", "http://[::1]/files/")]
    [InlineData("192.0.2.7:81", "http://192.0.2.7:81/files/")]
    public void A_trusted_forwarded_host_with_a_port_from_1_to_65535_or_none_counts(string forwarded, string expected)
    {
        var context = Request(forwarded, forwardedProto: null);

        var collection = _urls.Collection(context);

        Assert.Equal(expected, collection.AbsoluteUri);
    }

    [Theory]
    [InlineData("HTTPS", "https")]
    [InlineData("Https", "https")]
    [InlineData("HTTP", "http")]
    [InlineData("https", "https")]
    [InlineData("ftp", "http")]
    [InlineData("https2", "http")]
    public void A_trusted_forwarded_scheme_counts_in_any_case_and_is_written_in_lower_case(
        string forwardedProto,
        string expectedScheme)
    {
        var context = Request(forwardedHost: null, forwardedProto);

        var collection = _urls.Collection(context);

        Assert.Equal($"{expectedScheme}://{OwnHost}/files/", collection.AbsoluteUri);
    }

    private static DefaultHttpContext Request(string? forwardedHost, string? forwardedProto)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        context.Request.Scheme = "http";
        context.Request.Host = new HostString(OwnHost);
        if (forwardedHost is not null)
        {
            context.Request.Headers["X-Forwarded-Host"] = forwardedHost;
        }

        if (forwardedProto is not null)
        {
            context.Request.Headers["X-Forwarded-Proto"] = forwardedProto;
        }

        return context;
    }
}
