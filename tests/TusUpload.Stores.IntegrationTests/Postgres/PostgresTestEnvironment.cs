namespace TusUpload.Stores.IntegrationTests.Postgres;

/// <summary>
/// The PostgreSQL the tests use, from <c>TUS_TEST_POSTGRES</c> (started by <c>scripts/services.sh</c>).
/// </summary>
internal static class PostgresTestEnvironment
{
    public const string Variable = "TUS_TEST_POSTGRES";

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set: run the tests with scripts/test.sh, or start PostgreSQL with "
                + "'bash scripts/services.sh start postgres' and eval \"$(bash scripts/services.sh env)\".");
}
