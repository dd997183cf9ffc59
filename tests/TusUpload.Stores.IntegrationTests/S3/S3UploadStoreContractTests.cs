namespace TusUpload.Stores.IntegrationTests.S3;

/// <summary>The store contract against the S3 store on the test S3 server.</summary>
public sealed class S3UploadStoreContractTests(S3StoreFixture fixture)
    : UploadStoreContract(fixture), IClassFixture<S3StoreFixture>;
