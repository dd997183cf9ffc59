using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace TusUpload.Pipeline.Messaging.RabbitMq;

/// <summary>Registers RabbitMQ as the pipeline's queue.</summary>
public static class RabbitMqRegistration
{
    /// <summary>
    /// Adds the confirmed publisher as <see cref="IEventPublisher"/> and, when the process also registered an
    /// <see cref="ICompletionConsumer"/> (AddCompletionProcessing), the hosted consumer of the work queue and the
    /// redrive of its dead letters.
    /// Configured from the <c>RabbitMq</c> section; call it after AddCompletionProcessing.
    /// </summary>
    public static IServiceCollection AddRabbitMqMessaging(
        this IServiceCollection services,
        IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<RabbitMqOptions>()
            .Bind(configuration.GetSection(RabbitMqOptions.SectionName))
            .Validate(Validated, "RabbitMq options are invalid.")
            .ValidateOnStart();

        services.TryAddSingleton<RabbitMqEventPublisher>();
        services.TryAddSingleton<IEventPublisher>(provider => provider.GetRequiredService<RabbitMqEventPublisher>());

        if (services.Any(service => service.ServiceType == typeof(ICompletionConsumer)))
        {
            services.AddHostedService<RabbitMqCompletionConsumer>();

            // Where the work queue is consumed, its dead letters are too (RabbitMq:Redrive:Enabled turns it off).
            services.AddHostedService<DeadLetterRedrive>();
        }

        return services;
    }

    private static bool Validated(RabbitMqOptions options) => HostSettings.Passes(options, o => o.Validate());
}
