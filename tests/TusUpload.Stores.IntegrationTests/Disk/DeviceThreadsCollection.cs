namespace TusUpload.Stores.IntegrationTests.Disk;

/// <summary>
/// Tests that hold every device thread at once. They run one after another: each waits until all sixteen threads
/// run its own waits, which it could never see while another such test held some of them.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DeviceThreadsCollection
{
    public const string Name = "Device threads";
}
