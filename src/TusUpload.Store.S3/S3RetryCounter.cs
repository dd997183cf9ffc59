using Amazon.Runtime;
using Amazon.Runtime.Internal;

namespace TusUpload.Store.S3;

/// <summary>
/// Counts the SDK's retries (<c>Store:S3:MaxRetries</c>). They happen inside the client, out of sight of
/// <see cref="S3Bucket.SendAsync"/>, so this handler sits in the client's pipeline just inside its retry handler,
/// where it sees every attempt and the number of retries before it.
/// </summary>
internal sealed class S3RetryCounter(S3Metrics metrics) : PipelineHandler
{
    public override Task<T> InvokeAsync<T>(IExecutionContext executionContext)
    {
        var context = executionContext.RequestContext;
        if (context.Retries > 0)
        {
            metrics.Retried(S3Operation.Of(context.OriginalRequest));
        }

        return base.InvokeAsync<T>(executionContext);
    }
}
