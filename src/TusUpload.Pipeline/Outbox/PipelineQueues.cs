namespace TusUpload.Pipeline.Outbox;

/// <summary>Values of <c>Pipeline:Queue</c>.</summary>
public static class PipelineQueues
{
    public const string InProcess = "inprocess";

    public const string RabbitMq = "rabbitmq";
}
