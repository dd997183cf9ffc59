namespace TusUpload.Server.IntegrationTests.Harness;

/// <summary>Tests of this collection run one after another against the disk-store servers.</summary>
[CollectionDefinition(Name)]
public sealed class DiskCollection : ICollectionFixture<DiskServers>
{
    public const string Name = "disk store";
}
