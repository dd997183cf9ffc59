using TusUpload.Protocol.Parsing;

namespace TusUpload.Protocol.Tests.Parsing;

public sealed class UploadIdsTests
{
    [Fact]
    public void New_ids_are_32_lower_case_hex_digits_and_distinct()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => UploadIds.NewId()).ToList();

        Assert.All(ids, id => Assert.True(UploadIds.IsValid(id), id));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Theory]
    [InlineData("")]
    [InlineData("0123456789ABCDEF0123456789abcdef")]
    [InlineData("0123456789abcdef0123456789abcde")]
    [InlineData("0123456789abcdef0123456789abcdef0")]
    [InlineData("..%2F..%2Fetc%2Fpasswd")]
    [InlineData("../../../../etc/passwd0123456789")]
    [InlineData("0123456789abcdef/123456789abcdef")]
    [InlineData("0123456789abcdeg0123456789abcdef")]
    public void Any_other_shape_is_invalid(string id)
    {
        Assert.False(UploadIds.IsValid(id));
    }

    [Fact]
    public void X7_final_id_is_deterministic_in_key_and_ordered_list()
    {
        string[] parts = [UploadIds.NewId(), UploadIds.NewId()];

        var first = UploadIds.FinalId(null, parts);
        var again = UploadIds.FinalId(null, [.. parts]);
        var reversed = UploadIds.FinalId(null, [parts[1], parts[0]]);
        var keyed = UploadIds.FinalId("key-1", parts);
        var named = UploadIds.FinalId(null, parts, "filename YS50eHQ=");

        Assert.True(UploadIds.IsValid(first));
        Assert.Equal(first, again);
        Assert.NotEqual(first, reversed);
        Assert.NotEqual(first, keyed);
        Assert.Equal(keyed, UploadIds.FinalId("key-1", parts));
        Assert.NotEqual(first, named);
        Assert.NotEqual(named, UploadIds.FinalId(null, parts, "filename Yi50eHQ="));
        Assert.Equal(named, UploadIds.FinalId(null, parts, "filename YS50eHQ="));
    }
}
