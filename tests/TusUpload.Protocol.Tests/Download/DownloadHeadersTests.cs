using TusUpload.Protocol.Download;
using TusUpload.Protocol.Parsing;

namespace TusUpload.Protocol.Tests.Download;

public sealed class DownloadHeadersTests
{
    [Theory]
    [InlineData("image/png", "image/png")]
    [InlineData("IMAGE/PNG", "image/png")]
    [InlineData("application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.text")]
    [InlineData("text/html", "text/html")]
    [InlineData("text/html; charset=utf-8", "application/octet-stream")]
    [InlineData("text/html\r\nX-Evil: 1", "application/octet-stream")]
    [InlineData("image", "application/octet-stream")]
    [InlineData("/png", "application/octet-stream")]
    [InlineData("", "application/octet-stream")]
    public void D4_content_type_comes_from_metadata_only_when_well_formed(string filetype, string expected)
    {
        var metadata = Parse("filetype " + Base64(filetype));

        Assert.Equal(expected, DownloadHeaders.ContentType(metadata));
    }

    [Theory]
    [InlineData("image/png", "inline")]
    [InlineData("text/plain", "inline")]
    [InlineData("text/html", "attachment")]
    [InlineData("image/svg+xml", "attachment")]
    [InlineData("application/pdf", "attachment")]
    [InlineData("application/octet-stream", "attachment")]
    public void D4_only_safe_types_are_inline(string contentType, string disposition)
    {
        var header = DownloadHeaders.ContentDisposition(UploadMetadata.Empty, contentType, "id");

        Assert.StartsWith(disposition + ";", header, StringComparison.Ordinal);
    }

    [Fact]
    public void D4_file_name_is_encoded_per_rfc_6266_and_never_raw()
    {
        var metadata = Parse("filename " + Base64("r\u00e9sum\u00e9 \"x\"\r\nSet-Cookie: a=b.pdf"));

        var header = DownloadHeaders.ContentDisposition(metadata, "application/pdf", "id");

        Assert.Equal(
            "attachment; filename=\"r_sum_ _x___Set-Cookie: a=b.pdf\"; "
            + "filename*=UTF-8''r%C3%A9sum%C3%A9%20%22x%22__Set-Cookie%3A%20a%3Db.pdf",
            header);
        Assert.DoesNotContain('\r', header);
        Assert.DoesNotContain('\n', header);
    }

    [Theory]
    [InlineData("../../etc/passwd", ".._.._etc_passwd", ".._.._etc_passwd")]
    [InlineData("..\\..\\boot.ini", ".._.._boot.ini", ".._.._boot.ini")]
    [InlineData("a\0b\u0001c\u007fd.txt", "a_b_c_d.txt", "a_b_c_d.txt")]
    [InlineData("C:\\x\u0085y", "C:_x_y", "C%3A_x_y")]
    [InlineData("..", "id", "id")]
    [InlineData(".", "id", "id")]
    [InlineData("...", "id", "id")]
    [InlineData("/", "_", "_")]
    public void D4_path_separators_and_control_characters_become_underscores_and_dots_alone_name_nothing(
        string name,
        string fallback,
        string encoded)
    {
        var metadata = Parse("filename " + Base64(name));

        var header = DownloadHeaders.ContentDisposition(metadata, "application/pdf", "id");

        Assert.Equal($"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}", header);
    }

    [FsCheck.Xunit.Property]
    public bool Disposition_is_visible_ascii_for_any_file_name(string name)
    {
        var metadata = Parse("filename " + Base64(name ?? string.Empty));

        var header = DownloadHeaders.ContentDisposition(metadata, "text/plain", "fallback");

        return header.All(c => c is >= ' ' and <= '~');
    }

    private static string Base64(string text) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(text));

    private static UploadMetadata Parse(string header)
    {
        Assert.True(UploadMetadata.TryParse(header, out var metadata, out var error), error);
        return metadata;
    }
}
