using System.Text;
using FsCheck.Xunit;
using TusUpload.Protocol.Parsing;

namespace TusUpload.Protocol.Tests.Parsing;

public sealed class UploadMetadataTests
{
    [Fact]
    public void C4_pairs_with_values_decode_to_their_bytes()
    {
        var header = "filename d29ybGRfZG9taW5hdGlvbl9wbGFuLnBkZg==,is_confidential";

        var parsed = UploadMetadata.TryParse(header, out var metadata, out var error);

        Assert.True(parsed, error);
        Assert.True(metadata.TryGetString("filename", out var filename));
        Assert.Equal("world_domination_plan.pdf", filename);
        Assert.Equal([], metadata.GetBytes("is_confidential")!);
    }

    [Theory]
    [InlineData("key ")]
    [InlineData("key")]
    [InlineData("a YQ==, b Yg==")]
    [InlineData("a YQ==,b")]
    public void C4_empty_values_and_optional_space_are_accepted(string header)
    {
        var parsed = UploadMetadata.TryParse(header, out var metadata, out var error);

        Assert.True(parsed, error);
        Assert.True(metadata.Count >= 1);
    }

    [Theory]
    [InlineData("", "empty key")]
    [InlineData(",", "empty key")]
    [InlineData("a YQ==,,b Yg==", "empty key")]
    [InlineData("a YQ==,a Yg==", "repeats")]
    [InlineData("a YQ==,b Yg==,a", "repeats")]
    [InlineData("a Y", "base64")]
    [InlineData("a YQ=", "base64")]
    [InlineData("a Y Q==", "space")]
    [InlineData("a !!!!", "base64")]
    [InlineData("a YQ==\r\nX-Injected:1", "base64")]
    [InlineData("a YQ==\r\nX-Injected: 1", "space")]
    [InlineData("my key YQ==", "space")]
    [InlineData("k\u00e9y YQ==", "visible ASCII")]
    [InlineData("k\ty YQ==", "visible ASCII")]
    public void C4_malformed_metadata_is_rejected_with_a_reason(string header, string reasonPart)
    {
        var parsed = UploadMetadata.TryParse(header, out _, out var error);

        Assert.False(parsed);
        Assert.NotNull(error);
        Assert.Contains(reasonPart, error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain('\n', error);
    }

    [Fact]
    public void C4_keys_are_case_sensitive_so_differently_cased_keys_are_not_duplicates()
    {
        var parsed = UploadMetadata.TryParse("Name YQ==,name Yg==", out var metadata, out _);

        Assert.True(parsed);
        Assert.Equal(2, metadata.Count);
    }

    [Fact]
    public void Missing_header_is_empty_metadata()
    {
        var parsed = UploadMetadata.TryParse(null, out var metadata, out _);

        Assert.True(parsed);
        Assert.Equal(0, metadata.Count);
    }

    [Fact]
    public void Value_that_is_not_utf8_is_kept_as_bytes_but_not_as_text()
    {
        var header = "name " + Convert.ToBase64String([0xff, 0xfe]);

        UploadMetadata.TryParse(header, out var metadata, out _);

        Assert.Equal([0xff, 0xfe], metadata.GetBytes("name")!);
        Assert.False(metadata.TryGetString("name", out _));
    }

    [Property]
    public bool Any_string_either_parses_or_is_rejected_with_a_reason_and_never_throws(string? header)
    {
        var parsed = UploadMetadata.TryParse(header, out var metadata, out var error);

        return parsed ? error is null && metadata is not null : !string.IsNullOrEmpty(error);
    }

    [Property]
    public bool Encoded_pairs_round_trip(byte[][] values)
    {
        var pairs = values.Select((value, index) => ($"key{index}", value)).ToList();
        var header = string.Join(',', pairs.Select(pair => $"{pair.Item1} {Convert.ToBase64String(pair.value)}"));

        var parsed = UploadMetadata.TryParse(pairs.Count == 0 ? null : header, out var metadata, out _);

        return parsed
            && metadata.Count == pairs.Count
            && pairs.All(pair => metadata.GetBytes(pair.Item1)!.SequenceEqual(pair.value));
    }

    [Property]
    public bool Decoded_text_round_trips_for_any_unicode_value(string value)
    {
        var header = "filename " + Convert.ToBase64String(Encoding.UTF8.GetBytes(value ?? string.Empty));
        var expected = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(value ?? string.Empty));

        UploadMetadata.TryParse(header, out var metadata, out _);

        return metadata.TryGetString("filename", out var decoded) && decoded == expected;
    }
}
