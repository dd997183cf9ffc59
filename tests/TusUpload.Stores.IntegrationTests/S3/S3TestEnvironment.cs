namespace TusUpload.Stores.IntegrationTests.S3;

/// <summary>
/// The S3 server the tests use, from <c>TUS_TEST_S3</c> (moto started by <c>scripts/services.sh</c>).
/// </summary>
internal static class S3TestEnvironment
{
    public const string Variable = "TUS_TEST_S3";

    public static string ServiceUrl =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } url
            ? url
            : throw new InvalidOperationException(
                $"{Variable} is not set: run the tests with scripts/test.sh, or start moto with "
                + "'bash scripts/services.sh start s3' and eval \"$(bash scripts/services.sh env)\".");
}
