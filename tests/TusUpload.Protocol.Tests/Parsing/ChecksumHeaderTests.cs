using System.Security.Cryptography;
using TusUpload.Protocol.Parsing;

namespace TusUpload.Protocol.Tests.Parsing;

public sealed class ChecksumHeaderTests
{
    [Theory]
    [InlineData("sha1", 20)]
    [InlineData("md5", 16)]
    [InlineData("sha256", 32)]
    [InlineData("sha512", 64)]
    public void K1_each_offered_algorithm_parses_with_its_digest(string name, int digestBytes)
    {
        var digest = RandomNumberGenerator.GetBytes(digestBytes);

        var header = $"{name} {Convert.ToBase64String(digest)}";

        var parsed = ChecksumHeader.TryParse(header, out var checksum, out var error);

        Assert.True(parsed, error);
        Assert.Equal(name, checksum!.AlgorithmName);
        Assert.Equal(digest, checksum.Digest);
    }

    [Theory]
    [InlineData("")]
    [InlineData("sha1")]
    [InlineData("sha1 ")]
    [InlineData(" 2jmj7l5rSw0yVb/vlWAYkK/YBwk=")]
    [InlineData("SHA1 2jmj7l5rSw0yVb/vlWAYkK/YBwk=")]
    [InlineData("crc32 AAAAAA==")]
    [InlineData("sha1 not-base64!")]
    [InlineData("sha1 2jmj7l5rSw0yVb/vlWAYkK/YBw==")]
    [InlineData("sha1  2jmj7l5rSw0yVb/vlWAYkK/YBwk=")]
    [InlineData("md5 2jmj7l5rSw0yVb/vlWAYkK/YBwk=")]
    [InlineData("sha256 1B2M2Y8AsgTpgAmY7PhCfg==")]
    public void K4_unsupported_algorithm_or_malformed_header_is_rejected(string header)
    {
        var parsed = ChecksumHeader.TryParse(header, out var checksum, out var error);

        Assert.False(parsed);
        Assert.Null(checksum);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [FsCheck.Xunit.Property]
    public bool Any_string_parses_or_is_rejected_without_throwing(string? header)
    {
        var parsed = ChecksumHeader.TryParse(header, out var checksum, out var error);

        return parsed ? checksum is not null : error is not null;
    }
}
