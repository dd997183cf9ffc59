namespace TusUpload.Server;

/// <summary>Chooses the chunk store and the lock provider from configuration.</summary>
public static class StoreRegistration
{
    public static WebApplicationBuilder AddUploadStore(this WebApplicationBuilder builder)
    {
        return builder;
    }

    public static WebApplicationBuilder AddUploadLocking(this WebApplicationBuilder builder)
    {
        return builder;
    }
}
