using System.Diagnostics.Metrics;
using Amazon.Runtime;
using Amazon.S3;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TusUpload.Protocol.Storage;

namespace TusUpload.Store.S3;

/// <summary>Registers the S3 chunk store and blob store (<c>Store:Kind=s3</c>).</summary>
public static class S3StoreRegistration
{
    /// <summary>Adds the store, reading <c>Store:S3</c> and <c>Tus:MaxSize</c> from the root configuration.</summary>
    public static IServiceCollection AddS3UploadStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<S3StoreOptions>()
            .Bind(configuration.GetSection(S3StoreOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<S3StoreOptions>>(
            _ => new S3StoreOptionsValidator(configuration.GetValue<long?>("Tus:MaxSize")));
        services.AddSingleton(provider => new S3StoreSettings(
            provider.GetRequiredService<IOptions<S3StoreOptions>>().Value,
            configuration.GetValue<long?>("Tus:MaxSize")));
        // Metrics only where the host has a meter factory: a host without one still gets a working store.
        services.AddSingleton(provider => new S3Metrics(provider.GetService<IMeterFactory>()));
        services.AddSingleton<IAmazonS3>(provider => CreateClient(
            provider.GetRequiredService<IOptions<S3StoreOptions>>().Value,
            provider.GetRequiredService<S3Metrics>()));
        services.AddSingleton<S3Bucket>();
        services.AddSingleton<S3UploadStore>();
        services.AddSingleton<IUploadStore>(provider => provider.GetRequiredService<S3UploadStore>());
        services.AddSingleton<S3BlobStore>();
        services.AddSingleton<IBlobStore>(provider => provider.GetRequiredService<S3BlobStore>());
        services.AddSingleton<IStoreStartup, S3StoreStartup>();
        return services;
    }

    /// <summary>
    /// A client for MinIO-style endpoints: path-style addressing, checksums only where S3 demands them, explicit
    /// credentials and region so the SDK never asks an instance metadata service. With enabled
    /// <paramref name="metrics"/> the client counts its retries.
    /// </summary>
    public static AmazonS3Client CreateClient(S3StoreOptions options, S3Metrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonS3Config
        {
            ServiceURL = options.ServiceUrl,
            ForcePathStyle = true,
            AuthenticationRegion = options.Region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            Timeout = options.RequestTimeout,
            MaxErrorRetry = options.MaxRetries,
        };
        var credentials = new BasicAWSCredentials(options.AccessKey, options.SecretKey);
        return metrics is { Enabled: true }
            ? new MeteredS3Client(credentials, config, metrics)
            : new AmazonS3Client(credentials, config);
    }
}
