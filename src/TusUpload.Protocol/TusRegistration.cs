using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace TusUpload.Protocol;

/// <summary>Adds the tus protocol to a host.</summary>
public static class TusRegistration
{
    public static IServiceCollection AddTusProtocol(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TusOptions>().Bind(configuration);
        return services;
    }

    public static IEndpointRouteBuilder MapTus(this IEndpointRouteBuilder endpoints)
    {
        return endpoints;
    }
}
