using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using TusUpload.Protocol.Lifecycle;
using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Tests;

/// <summary>The protocol's services over a test store and lifecycle, without a host or an HTTP server.</summary>
internal static class ProtocolServices
{
    public static ServiceProvider Build(IUploadStore store, IUploadLifecycle lifecycle, TimeSpan? commitTimeout = null)
    {
        var settings = new Dictionary<string, string?>();
        if (commitTimeout is { } timeout)
        {
            settings["CommitTimeout"] = timeout.ToString("c", CultureInfo.InvariantCulture);
        }

        return new ServiceCollection()
            .AddLogging()
            .AddSingleton<IHostApplicationLifetime, ApplicationLifetime>()
            .AddSingleton(store)
            .AddSingleton(lifecycle)
            .AddTusProtocol(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .BuildServiceProvider();
    }
}
