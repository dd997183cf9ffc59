using TusUpload.Pipeline.Messaging.InProcess;
using TusUpload.Pipeline.Outbox;

namespace TusUpload.Pipeline.IntegrationTests.Outbox;

public sealed class PipelineOptionsValidatorTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        var failures = PipelineOptionsValidator.Validate(new PipelineOptions(), new InProcessWorkerOptions());

        Assert.Empty(failures);
    }

    [Theory]
    [InlineData("01:00:00.001")]
    [InlineData("60.00:00:00")]
    [InlineData("10675199.00:00:00")]
    public void A_relay_backoff_longer_than_an_hour_fails_naming_the_setting(string value)
    {
        // Both passed: the first failed publish then stopped the host with a stack trace once the jittered wait was
        // longer than a timer can wait (~49.7 days).
        var backoff = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
        var pipeline = new PipelineOptions { RelayInitialBackoff = backoff, RelayMaxBackoff = backoff };

        var failures = PipelineOptionsValidator.Validate(pipeline, new InProcessWorkerOptions());

        var failure = Assert.Single(failures);
        Assert.StartsWith("Pipeline:RelayMaxBackoff must be at most 01:00:00", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void The_longest_relay_backoff_is_valid_and_a_timer_can_wait_it()
    {
        var longest = PipelineOptionsValidator.LongestRelayBackoff;
        var pipeline = new PipelineOptions { RelayInitialBackoff = longest, RelayMaxBackoff = longest };

        var failures = PipelineOptionsValidator.Validate(pipeline, new InProcessWorkerOptions());

        Assert.Empty(failures);
        Assert.InRange(RelayBackoff.Delay(21, longest, longest), TimeSpan.Zero, longest);
        using var timeout = new CancellationTokenSource(longest);
    }
}
