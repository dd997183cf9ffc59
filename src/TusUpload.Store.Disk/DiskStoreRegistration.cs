using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TusUpload.Protocol.Storage;

namespace TusUpload.Store.Disk;

/// <summary>Registers the disk store, its blob store and its options (validated at start-up).</summary>
public static class DiskStoreRegistration
{
    public static IServiceCollection AddDiskUploadStore(this IServiceCollection services, IConfiguration section)
    {
        services.AddOptions<DiskStoreOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DiskStoreOptions>, DiskStoreOptionsValidator>();
        services.AddSingleton<DiskUploadStore>();
        services.AddSingleton<IUploadStore>(provider => provider.GetRequiredService<DiskUploadStore>());
        services.AddSingleton<DiskBlobStore>();
        services.AddSingleton<IBlobStore>(provider => provider.GetRequiredService<DiskBlobStore>());
        return services;
    }
}
