using TusUpload.Protocol.Parsing;

namespace TusUpload.Protocol.Tests.Parsing;

public sealed class RangeHeaderTests
{
    [Theory]
    [InlineData("bytes=0-9", 0L, 10L)]
    [InlineData("bytes=10-", 10L, 90L)]
    [InlineData("bytes=-10", 90L, 10L)]
    [InlineData("bytes=-1000", 0L, 100L)]
    [InlineData("bytes=90-1000", 90L, 10L)]
    [InlineData("bytes=99-99", 99L, 1L)]
    [InlineData("BYTES=0-0", 0L, 1L)]
    [InlineData("bytes=0-99999999999999999999", 0L, 100L)]
    [InlineData("bytes=90-00000000000000000000000000099", 90L, 10L)]
    [InlineData("bytes=-99999999999999999999", 0L, 100L)]
    [InlineData("bytes=000000000000000000000000000090-", 90L, 10L)]
    public void D2_single_satisfiable_range_is_partial(string header, long start, long length)
    {
        var outcome = RangeHeader.Evaluate(header, 100, out var range);

        Assert.Equal(RangeOutcome.Partial, outcome);
        Assert.Equal(new ByteRange(start, length), range);
    }

    [Theory]
    [InlineData("bytes=100-")]
    [InlineData("bytes=100-200")]
    [InlineData("bytes=-0")]
    [InlineData("bytes=9223372036854775807-")]
    [InlineData("bytes=99999999999999999999-")]
    [InlineData("bytes=99999999999999999999-99999999999999999999")]
    public void D2_range_outside_the_content_is_unsatisfiable(string header)
    {
        var outcome = RangeHeader.Evaluate(header, 100, out _);

        Assert.Equal(RangeOutcome.Unsatisfiable, outcome);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("bytes=")]
    [InlineData("bytes=abc-")]
    [InlineData("bytes=5-1")]
    [InlineData("bytes=0-1,5-9")]
    [InlineData("items=0-9")]
    [InlineData("bytes=-")]
    [InlineData("bytes=+1-2")]
    [InlineData("bytes=99999999999999999999-5")]
    [InlineData("bytes=100000000000000000000-99999999999999999999")]
    public void D2_malformed_or_multiple_ranges_serve_the_whole_content(string? header)
    {
        var outcome = RangeHeader.Evaluate(header, 100, out var range);

        Assert.Equal(RangeOutcome.Whole, outcome);
        Assert.Equal(new ByteRange(0, 100), range);
    }

    [FsCheck.Xunit.Property]
    public bool Any_header_yields_a_range_inside_the_content(string? header, ushort contentLength)
    {
        var outcome = RangeHeader.Evaluate(header, contentLength, out var range);

        return outcome == RangeOutcome.Unsatisfiable
            || (range.Start >= 0 && range.Length >= 0 && range.Start + range.Length <= contentLength);
    }
}
