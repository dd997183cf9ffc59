using TusUpload.Server.IntegrationTests.Harness;

namespace TusUpload.Server.IntegrationTests.Conformance;

[Collection(DiskCollection.Name)]
public sealed class DiskConformance(DiskServers servers) : ConformanceSuite(servers);
