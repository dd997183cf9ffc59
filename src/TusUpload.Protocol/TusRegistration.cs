using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TusUpload.Protocol.Body;
using TusUpload.Protocol.Completion;
using TusUpload.Protocol.Diagnostics;
using TusUpload.Protocol.Handlers;
using TusUpload.Protocol.Http;
using TusUpload.Protocol.Lifecycle;
using TusUpload.Protocol.Locking;
using TusUpload.Protocol.Sweeping;

namespace TusUpload.Protocol;

/// <summary>Adds the tus protocol to a host.</summary>
public static class TusRegistration
{
    /// <summary>
    /// Registers options (validated at start-up), handlers, metrics and the sweeper, plus replaceable defaults
    /// (TryAdd): the in-process lock, the logging lifecycle and the store-backed content source. The host must
    /// register an <see cref="Storage.IUploadStore"/>.
    /// </summary>
    public static IServiceCollection AddTusProtocol(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TusOptions>().Bind(configuration).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TusOptions>, TusOptionsValidator>());
        services.AddMetrics();

        services.TryAddSingleton<IUploadLockProvider, InProcessUploadLockProvider>();
        services.TryAddSingleton<IUploadLifecycle, LoggingUploadLifecycle>();
        services.TryAddSingleton<IUploadContentSource, StoreContentSource>();

        services.AddSingleton<TusMetrics>();
        services.AddSingleton<UploadUrls>();
        services.AddSingleton<TusCors>();
        services.AddSingleton<UploadWriteAccess>();
        services.AddSingleton<UploadCompletion>();
        services.AddSingleton<UploadRemoval>();
        services.AddSingleton<UploadStatusReader>();
        services.AddSingleton<ChunkReceiver>();
        services.AddSingleton<OptionsHandler>();
        services.AddSingleton<HeadHandler>();
        services.AddSingleton<PatchHandler>();
        services.AddSingleton<CreationHandler>();
        services.AddSingleton<DeleteHandler>();
        services.AddSingleton<DownloadHandler>();
        services.AddSingleton<TusEndpoint>();
        services.AddSingleton<UploadSweeper>();
        services.AddHostedService(provider => provider.GetRequiredService<UploadSweeper>());
        return services;
    }

    /// <summary>Maps the tus endpoint (every method, CORS preflight too) under the base path.</summary>
    public static IEndpointRouteBuilder MapTus(this IEndpointRouteBuilder endpoints)
    {
        var basePath = endpoints.ServiceProvider.GetRequiredService<IOptions<TusOptions>>().Value.BasePath;
        var endpoint = endpoints.ServiceProvider.GetRequiredService<TusEndpoint>();
        RequestDelegate handler = endpoint.HandleAsync;

        endpoints.Map(basePath.TrimEnd('/'), handler).WithDisplayName("tus collection");
        endpoints.Map(basePath + "{**" + TusEndpoint.IdRouteValue + "}", handler).WithDisplayName("tus upload");
        return endpoints;
    }
}
