using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using TusUpload.Store.Disk;

namespace TusUpload.Stores.IntegrationTests.Disk;

/// <summary>Readiness of the disk store follows whether its folder accepts a synced write.</summary>
public sealed class DiskStoreHealthCheckTests(DiskStoreFixture fixture) : IClassFixture<DiskStoreFixture>
{
    [Fact]
    public async Task Writable_store_folder_is_healthy()
    {
        var check = new DiskStoreHealthCheck(fixture.DiskStore, NullLogger<DiskStoreHealthCheck>.Instance);

        var result = await check.CheckHealthAsync(new HealthCheckContext()).WaitAsync(TestData.Timeout);

        Assert.Equal(HealthStatus.Healthy, result.Status);
    }

    [Fact]
    public async Task Store_folder_replaced_by_a_file_is_unhealthy_until_it_is_back()
    {
        var options = new DiskStoreOptions { Path = Path.Combine(fixture.Root, "health-" + TestData.NewId()) };
        var store = DiskStoreFixture.CreateStore(options);
        var check = new DiskStoreHealthCheck(store, NullLogger<DiskStoreHealthCheck>.Instance);
        Directory.Delete(store.RootPath);
        await File.WriteAllTextAsync(store.RootPath, "not a folder").WaitAsync(TestData.Timeout);

        var broken = await check.CheckHealthAsync(new HealthCheckContext()).WaitAsync(TestData.Timeout);
        File.Delete(store.RootPath);
        var repaired = await check.CheckHealthAsync(new HealthCheckContext()).WaitAsync(TestData.Timeout);

        Assert.Equal(HealthStatus.Unhealthy, broken.Status);
        Assert.Equal(HealthStatus.Healthy, repaired.Status);
    }
}
