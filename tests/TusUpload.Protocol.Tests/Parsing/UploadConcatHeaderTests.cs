using TusUpload.Protocol.Parsing;
using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Tests.Parsing;

public sealed class UploadConcatHeaderTests
{
    private const string A = "0123456789abcdef0123456789abcdef";
    private const string B = "fedcba9876543210fedcba9876543210";
    private static readonly Uri s_collection = new("http://uploads.example:8080/files/");

    [Fact]
    public void X1_partial_parses()
    {
        var parsed = UploadConcatHeader.TryParse("partial", s_collection, 10, out var concat, out _);

        Assert.True(parsed);
        Assert.Equal(UploadConcatKind.Partial, concat.Kind);
    }

    [Fact]
    public void Missing_header_is_no_concatenation()
    {
        var parsed = UploadConcatHeader.TryParse(null, s_collection, 10, out var concat, out _);

        Assert.True(parsed);
        Assert.Equal(UploadConcatKind.None, concat.Kind);
    }

    [Theory]
    [InlineData("final;/files/" + A + " /files/" + B)]
    [InlineData("final;http://uploads.example:8080/files/" + A + " /files/" + B)]
    [InlineData("final;https://UPLOADS.example:8080/files/" + A + "  http://uploads.example:8080/files/" + B)]
    [InlineData("final;" + A + " " + B)]
    public void X2_final_with_relative_or_absolute_urls_lists_ids_in_order(string header)
    {
        var parsed = UploadConcatHeader.TryParse(header, s_collection, 10, out var concat, out var error);

        Assert.True(parsed, error);
        Assert.Equal(UploadConcatKind.Final, concat.Kind);
        Assert.Equal([A, B], concat.PartialIds);
    }

    [Fact]
    public void X2_a_partial_may_repeat()
    {
        var parsed = UploadConcatHeader.TryParse($"final;/files/{A} /files/{A}", s_collection, 10, out var c, out _);

        Assert.True(parsed);
        Assert.Equal([A, A], c.PartialIds);
    }

    [Theory]
    [InlineData("final;http://evil.example:8080/files/" + A, "another host")]
    [InlineData("final;http://uploads.example:9090/files/" + A, "another host")]
    [InlineData("final;/other/" + A, "outside")]
    [InlineData("final;/files/../etc/passwd", "outside")]
    [InlineData("final;/files/" + A + "?x=1", "outside")]
    [InlineData("final;/files/not-an-id", "unknown")]
    [InlineData("final;/files/" + A + "/extra", "unknown")]
    [InlineData("final;ftp://uploads.example:8080/files/" + A, "http")]
    [InlineData("final;", "no partial")]
    [InlineData("final", "must be")]
    [InlineData("Partial", "must be")]
    [InlineData("final; ", "no partial")]
    public void X4_bad_final_headers_are_rejected(string header, string reasonPart)
    {
        var parsed = UploadConcatHeader.TryParse(header, s_collection, 10, out _, out var error);

        Assert.False(parsed);
        Assert.Contains(reasonPart, error!, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Final_listing_more_partials_than_allowed_is_rejected()
    {
        var header = "final;" + string.Join(' ', Enumerable.Repeat("/files/" + A, 3));

        var parsed = UploadConcatHeader.TryParse(header, s_collection, 2, out _, out var error);

        Assert.False(parsed);
        Assert.Contains("more than 2", error!, StringComparison.Ordinal);
    }

    [FsCheck.Xunit.Property]
    public bool Any_string_parses_or_is_rejected_without_throwing(string? header)
    {
        var parsed = UploadConcatHeader.TryParse(header, s_collection, 1000, out var concat, out var error);

        return parsed ? concat.PartialIds.All(UploadIds.IsValid) : error is not null;
    }
}
