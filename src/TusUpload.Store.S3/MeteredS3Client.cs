using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.S3;

namespace TusUpload.Store.S3;

/// <summary>An S3 client whose pipeline counts retries (see <see cref="S3RetryCounter"/>).</summary>
internal sealed class MeteredS3Client(AWSCredentials credentials, AmazonS3Config config, S3Metrics metrics)
    : AmazonS3Client(credentials, config)
{
    // A field initializer, because those run before the base constructor, which builds the pipeline and so calls
    // CustomizeRuntimePipeline before any constructor body of this class would have run.
    private readonly S3Metrics _metrics = metrics;

    protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
    {
        base.CustomizeRuntimePipeline(pipeline);
        pipeline.AddHandlerAfter<RetryHandler>(new S3RetryCounter(_metrics));
    }
}
