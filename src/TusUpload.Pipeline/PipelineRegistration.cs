using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TusUpload.Pipeline.Ledger;
using TusUpload.Pipeline.Ledger.Sqlite;
using TusUpload.Pipeline.Lifecycle;
using TusUpload.Pipeline.Messaging;
using TusUpload.Pipeline.Messaging.InProcess;
using TusUpload.Pipeline.Messaging.RabbitMq;
using TusUpload.Pipeline.Outbox;
using TusUpload.Pipeline.Processing;
using TusUpload.Pipeline.Status;
using TusUpload.Protocol.Lifecycle;

namespace TusUpload.Pipeline;

/// <summary>Registers the completion pipeline: ledger, outbox relay and pruner, queue and in-process worker.</summary>
public static class PipelineRegistration
{
    /// <summary>
    /// The PostgreSQL ledger's registration, looked up by name (see <see cref="ILedgerRegistration"/>).
    /// </summary>
    public const string PostgresLedgerRegistrationType =
        "TusUpload.Postgres.Ledger.PostgresLedgerRegistration, TusUpload.Postgres";

    /// <summary>
    /// Adds the ledger (<c>Ledger:Kind</c>), the relay, the queue (<c>Pipeline:Queue</c>) and, when
    /// <c>Worker:InProcess</c>, the worker; replaces the protocol's default lifecycle and content source. Call after
    /// <c>AddTusProtocol</c> and the store. Settings are validated here, so a bad one stops the start naming it.
    /// </summary>
    public static WebApplicationBuilder AddUploadPipeline(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        var services = builder.Services;
        var configuration = builder.Configuration;
        var ledger = Bind<LedgerOptions>(configuration, LedgerOptions.SectionName);
        var pipeline = Bind<PipelineOptions>(configuration, PipelineOptions.SectionName);
        var worker = Bind<InProcessWorkerOptions>(configuration, InProcessWorkerOptions.SectionName);

        // Kinds are matched like the store's and the worker's: case and surrounding spaces do not matter.
        ledger.Kind = HostSettings.NormalizeKind(ledger.Kind, LedgerKinds.Sqlite);
        pipeline.Queue = HostSettings.NormalizeKind(pipeline.Queue, PipelineQueues.InProcess);
        ThrowIfInvalid(ledger);
        PipelineOptionsValidator.ThrowIfInvalid(pipeline, worker);

        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<LedgerOptions>()
            .Bind(configuration.GetSection(LedgerOptions.SectionName))
            .PostConfigure(options => options.Kind = HostSettings.NormalizeKind(options.Kind, LedgerKinds.Sqlite));
        services.AddOptions<PipelineOptions>()
            .Bind(configuration.GetSection(PipelineOptions.SectionName))
            .PostConfigure(options =>
                options.Queue = HostSettings.NormalizeKind(options.Queue, PipelineQueues.InProcess));
        services.AddOptions<InProcessWorkerOptions>()
            .Bind(configuration.GetSection(InProcessWorkerOptions.SectionName));

        AddLedger(services, configuration, ledger);

        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<OutboxMetrics>();
        services.Replace(ServiceDescriptor.Singleton<IUploadLifecycle, LedgerUploadLifecycle>());
        services.Replace(ServiceDescriptor.Singleton<IUploadContentSource, BlobContentSource>());

        AddQueueAndWorker(services, configuration, pipeline, worker);
        services.AddHostedService<OutboxRelay>();
        services.AddHostedService<OutboxPruner>();
        return builder;
    }

    /// <summary>Maps the pipeline's HTTP endpoints: <c>GET /uploads/{id}/status</c>.</summary>
    public static IEndpointRouteBuilder MapUploadStatus(this IEndpointRouteBuilder endpoints) =>
        UploadStatusEndpoints.MapUploadStatus(endpoints);

    private static void AddLedger(IServiceCollection services, IConfiguration configuration, LedgerOptions ledger)
    {
        if (ledger.Kind == LedgerKinds.Postgres)
        {
            var type = Type.GetType(PostgresLedgerRegistrationType, throwOnError: false)
                ?? throw new InvalidOperationException(
                    "Ledger:Kind is 'postgres' but TusUpload.Postgres is not part of this host.");
            var registration = (ILedgerRegistration)Activator.CreateInstance(type)!;
            registration.AddLedger(services, configuration);
        }
        else
        {
            services.AddSingleton<SqliteUploadLedger>();
            services.AddSingleton<IUploadLedger>(provider => provider.GetRequiredService<SqliteUploadLedger>());
            // Registered before the relay, so its first claim already finds a dead run's rows free.
            services.AddHostedService(provider => new LedgerStartup(
                provider.GetRequiredService<SqliteUploadLedger>().StartAsOwnerAsync));
        }

        services.AddHealthChecks().AddCheck<LedgerHealthCheck>("ledger", tags: ["ready"]);
    }

    private static void AddQueueAndWorker(
        IServiceCollection services,
        IConfiguration configuration,
        PipelineOptions pipeline,
        InProcessWorkerOptions worker)
    {
        var inProcessWorker = worker.InProcess ?? pipeline.Queue == PipelineQueues.InProcess;
        if (inProcessWorker)
        {
            services.AddCompletionProcessing(configuration);
        }

        if (pipeline.Queue == PipelineQueues.InProcess)
        {
            services.AddSingleton<InProcessCompletionQueue>();
            services.AddSingleton<IEventPublisher, InProcessEventPublisher>();
            services.AddHostedService<InProcessCompletionWorker>();
        }
        else
        {
            // Publishes with confirms; also consumes the work queue here when the worker runs in this process.
            services.AddRabbitMqMessaging(configuration);
        }
    }

    private static T Bind<T>(IConfiguration configuration, string section)
        where T : new()
    {
        var options = new T();
        configuration.GetSection(section).Bind(options);
        return options;
    }

    private static void ThrowIfInvalid(LedgerOptions ledger)
    {
        var result = new LedgerOptionsValidator().Validate(null, ledger);
        if (result.Failed)
        {
            throw new OptionsValidationException(LedgerOptions.SectionName, typeof(LedgerOptions), result.Failures);
        }
    }
}
