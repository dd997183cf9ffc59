namespace TusUpload.Stores.IntegrationTests.Disk;

/// <summary>The store contract against the disk store.</summary>
public sealed class DiskUploadStoreContractTests(DiskStoreFixture fixture)
    : UploadStoreContract(fixture), IClassFixture<DiskStoreFixture>;
