namespace TusUpload.Stores.IntegrationTests.S3;

/// <summary>An S3 store that allows only four parts of 5 MiB, so the part-count limit is reachable in tests.</summary>
public sealed class S3SmallPartCountFixture : S3StoreFixture
{
    public const int MaxParts = 4;

    public S3SmallPartCountFixture()
        : base(MaxParts)
    {
    }
}
