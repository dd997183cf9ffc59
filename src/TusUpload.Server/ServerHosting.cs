namespace TusUpload.Server;

/// <summary>Logging, metrics, health checks and shutdown behaviour of the server process.</summary>
public static class ServerHosting
{
    public static WebApplicationBuilder AddServerHosting(this WebApplicationBuilder builder)
    {
        return builder;
    }

    public static WebApplication UseServerHosting(this WebApplication app)
    {
        return app;
    }
}
