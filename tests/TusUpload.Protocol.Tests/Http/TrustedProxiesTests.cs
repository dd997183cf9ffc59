using System.Net;
using TusUpload.Protocol.Http;

namespace TusUpload.Protocol.Tests.Http;

public sealed class TrustedProxiesTests
{
    [Theory]
    [InlineData("10.0.0.5", "10.0.0.5", true)]
    [InlineData("10.0.0.5", "10.0.0.6", false)]
    [InlineData("10.0.0.0/8", "10.200.3.4", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("172.16.0.0/12", "172.31.255.255", true)]
    [InlineData("172.16.0.0/12", "172.32.0.1", false)]
    [InlineData("10.0.0.0/8", "::ffff:10.1.2.3", true)]
    [InlineData("::ffff:10.0.0.0/104", "10.1.2.3", true)]
    [InlineData("::ffff:10.0.0.5", "10.0.0.5", true)]
    [InlineData("fd00::/8", "fd12:3456::1", true)]
    [InlineData("fd00::/8", "fe80::1", false)]
    [InlineData("::1", "::1", true)]
    [InlineData("0.0.0.0/0", "203.0.113.9", true)]
    public void A_peer_is_trusted_only_inside_a_configured_address_or_network(string entry, string peer, bool trusted)
    {
        var proxies = new TrustedProxies([entry]);

        Assert.Equal(trusted, proxies.Contains(IPAddress.Parse(peer)));
    }

    [Fact]
    public void No_entries_and_an_unknown_peer_trust_nobody()
    {
        Assert.False(new TrustedProxies([]).Contains(IPAddress.Loopback));
        Assert.False(new TrustedProxies(["127.0.0.1"]).Contains(null));
    }

    [Theory]
    [InlineData("proxy.local")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.1/8")]
    [InlineData("10.0.0.0/")]
    [InlineData("/8")]
    [InlineData("")]
    [InlineData(" ")]
    public void Entries_that_are_neither_an_address_nor_a_network_are_refused(string entry)
    {
        Assert.False(TrustedProxies.TryParse(entry, out _));
        Assert.Throws<FormatException>(() => new TrustedProxies([entry]));
    }
}
