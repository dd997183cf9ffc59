namespace TusUpload.Server.IntegrationTests.Harness;

/// <summary>Tests of this collection run one after another against the S3-store servers.</summary>
[CollectionDefinition(Name)]
public sealed class S3Collection : ICollectionFixture<S3Servers>
{
    public const string Name = "s3 store";
}
