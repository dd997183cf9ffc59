using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TusUpload.ClamAV;
using TusUpload.Pipeline.Messaging;
using TusUpload.Pipeline.Messaging.RabbitMq;

namespace TusUpload.Pipeline.Processing;

/// <summary>Registers the completion processor, its clamd client and its metrics.</summary>
public static class ProcessingRegistration
{
    /// <summary>
    /// Adds <see cref="CompletionProcessor"/> as the <see cref="ICompletionConsumer"/>, configured from the
    /// <c>Worker</c> and <c>ClamAV</c> sections. Needs an <c>IUploadLedger</c>, <c>IUploadStore</c> and
    /// <c>IBlobStore</c>.
    /// </summary>
    public static IServiceCollection AddCompletionProcessing(
        this IServiceCollection services,
        IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddMetrics();
        services.AddOptions<ProcessingOptions>()
            .Bind(configuration.GetSection(ProcessingOptions.SectionName))
            .PostConfigure(options => options.MaxDeliveries ??= DefaultMaxDeliveries(configuration))
            .Validate(Validated, "Worker options are invalid.")
            .ValidateOnStart();
        services.AddOptions<ScanningOptions>().Bind(configuration.GetSection(ScanningOptions.SectionName));
        services.AddOptions<ClamdOptions>()
            .Bind(configuration.GetSection(ScanningOptions.SectionName))
            .Validate(Validated, "ClamAV options are invalid.")
            .ValidateOnStart();

        services.AddSingleton(provider => new ClamdClient(
            provider.GetRequiredService<IOptions<ClamdOptions>>().Value,
            provider.GetService<Microsoft.Extensions.Logging.ILogger<ClamdClient>>()));
        services.AddSingleton<ProcessingMetrics>();
        services.AddSingleton<CompletionProcessor>();
        services.AddSingleton<ICompletionConsumer>(provider => provider.GetRequiredService<CompletionProcessor>());
        return services;
    }

    // The last delivery a quorum queue makes is DeliveryLimit + 1; the processor gives up on that one. Only a limit
    // RabbitMQ would accept counts: with the in-process queue nothing else checks RabbitMq:DeliveryLimit, and
    // int.MaxValue + 1 had wrapped round to a count refused as a bad Worker:MaxDeliveries, a setting nobody set.
    private static int DefaultMaxDeliveries(IConfiguration configuration)
    {
        var limit = configuration
            .GetSection(RabbitMqOptions.SectionName)
            .GetValue<int?>(nameof(RabbitMqOptions.DeliveryLimit));
        var accepted = limit is >= 1 and <= RabbitMqOptions.MaxDeliveryLimit;
        return (accepted ? limit!.Value : new RabbitMqOptions().DeliveryLimit) + 1;
    }

    // Validate() throws with a message naming the setting; ValidateOnStart then fails the host with it.
    private static bool Validated(ProcessingOptions options) => HostSettings.Passes(options, o => o.Validate());

    private static bool Validated(ClamdOptions options) => HostSettings.Passes(options, o => o.Validate());
}
