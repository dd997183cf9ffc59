using Microsoft.Extensions.Options;
using TusUpload.Pipeline.Messaging.InProcess;

namespace TusUpload.Pipeline.Outbox;

/// <summary>Checks the queue and relay settings together with the worker's, naming the setting that is wrong.</summary>
public static class PipelineOptionsValidator
{
    /// <summary>The longest <c>Pipeline:RelayMaxBackoff</c> (and so <c>RelayInitialBackoff</c>): an hour.</summary>
    public static readonly TimeSpan LongestRelayBackoff = TimeSpan.FromHours(1);

    public static IReadOnlyList<string> Validate(PipelineOptions pipeline, InProcessWorkerOptions worker)
    {
        var failures = new List<string>();

        if (pipeline.Queue is not (PipelineQueues.InProcess or PipelineQueues.RabbitMq))
        {
            failures.Add(
                $"Pipeline:Queue must be '{PipelineQueues.InProcess}' or '{PipelineQueues.RabbitMq}', "
                + $"not '{pipeline.Queue}'.");
        }

        if (pipeline.Queue == PipelineQueues.InProcess && worker.InProcess == false)
        {
            failures.Add(
                "Worker:InProcess cannot be false with Pipeline:Queue=inprocess: nothing else reads that queue.");
        }

        AddRange(failures, pipeline.InProcessQueueCapacity, 1, 1_000_000, "Pipeline:InProcessQueueCapacity");
        AddRange(failures, pipeline.OutboxBatchSize, 1, 1000, "Pipeline:OutboxBatchSize");
        AddRange(failures, worker.Concurrency, 1, 256, "Worker:Concurrency");
        AddRange(failures, worker.EffectiveMaxDeliveries, 1, 100, "Worker:MaxDeliveries");

        if (pipeline.OutboxPollInterval < TimeSpan.FromMilliseconds(10)
            || pipeline.OutboxPollInterval > TimeSpan.FromMinutes(5))
        {
            failures.Add("Pipeline:OutboxPollInterval must be between 00:00:00.010 and 00:05:00.");
        }

        if (pipeline.RelayInitialBackoff <= TimeSpan.Zero || pipeline.RelayMaxBackoff < pipeline.RelayInitialBackoff)
        {
            failures.Add("Pipeline:RelayInitialBackoff must be positive and at most Pipeline:RelayMaxBackoff.");
        }

        // The relay waits this long after a failed publish: past ~49.7 days no timer can wait, and the first failure
        // stopped the host with a stack trace. An hour matches RabbitMq:ReconnectDelay's bound.
        if (pipeline.RelayMaxBackoff > LongestRelayBackoff)
        {
            failures.Add(
                $"Pipeline:RelayMaxBackoff must be at most {LongestRelayBackoff}, not {pipeline.RelayMaxBackoff}.");
        }

        if (worker.RetryDelay <= TimeSpan.Zero || worker.RetryDelay > TimeSpan.FromMinutes(1))
        {
            failures.Add("Worker:RetryDelay must be positive and at most a minute.");
        }

        return failures;
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every failure, or returns.</summary>
    public static void ThrowIfInvalid(PipelineOptions pipeline, InProcessWorkerOptions worker)
    {
        var failures = Validate(pipeline, worker);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(PipelineOptions.SectionName, typeof(PipelineOptions), failures);
        }
    }

    private static void AddRange(List<string> failures, int value, int min, int max, string setting)
    {
        if (value < min || value > max)
        {
            failures.Add($"{setting} must be between {min} and {max}, not {value}.");
        }
    }
}
