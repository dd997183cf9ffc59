
namespace TusUpload.ClamAV.IntegrationTests;

// The reply parser decides what "clean" means, so it is pinned down with exact replies as clamd writes them.
public sealed class ClamdReplyTests
{
    [Theory]
    [InlineData("stream: OK")]
    [InlineData("stream: OK\n")]
    public void Exact_OK_is_clean(string reply)
    {
        Assert.Equal(ScanVerdict.Clean, ClamdReply.ParseScan(reply));
    }

    [Fact]
    public void FOUND_is_infected_with_the_signature_name()
    {
        var verdict = ClamdReply.ParseScan("stream: Win.Test.EICAR_HDB-1 FOUND");

        Assert.Equal(ScanVerdict.Infected("Win.Test.EICAR_HDB-1"), verdict);
    }

    [Fact]
    public void Limit_alert_is_infected_so_content_clamd_could_not_scan_whole_is_never_clean()
    {
        var verdict = ClamdReply.ParseScan("stream: Heuristics.Limits.Exceeded.MaxRecursion FOUND");

        Assert.Equal(ScanVerdict.Infected("Heuristics.Limits.Exceeded.MaxRecursion"), verdict);
    }

    [Fact]
    public void Size_limit_reply_is_error_with_clamd_reason()
    {
        var verdict = ClamdReply.ParseScan("INSTREAM size limit exceeded. ERROR");

        Assert.Equal(ScanOutcome.Error, verdict.Outcome);
        Assert.Equal("clamd: INSTREAM size limit exceeded.", verdict.Reason);
    }

    [Theory]
    [InlineData("stream: O")]
    [InlineData("stream: OK then more")]
    [InlineData("OK")]
    [InlineData("")]
    [InlineData("stream:  FOUND")]
    [InlineData("PONG")]
    [InlineData("1: stream: OK")]
    public void Anything_unexpected_is_error_never_clean(string reply)
    {
        var verdict = ClamdReply.ParseScan(reply);

        Assert.Equal(ScanOutcome.Error, verdict.Outcome);
    }
}
