using TusUpload.Server.IntegrationTests.Harness;

namespace TusUpload.Server.IntegrationTests.Conformance;

/// <summary>The whole conformance suite against the S3 store with the PostgreSQL lease lock.</summary>
[Collection(S3Collection.Name)]
public sealed class S3Conformance(S3Servers servers) : ConformanceSuite(servers);
