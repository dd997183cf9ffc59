using TusUpload.Server.IntegrationTests.Harness;

namespace TusUpload.Server.IntegrationTests.HostileInput;

[Collection(DiskCollection.Name)]
public sealed class DiskHostileInput(DiskServers servers) : HostileInputSuite(servers);
