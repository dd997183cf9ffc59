using System.Text.Json;
using Amazon.S3;
using TusUpload.Store.S3;

namespace TusUpload.Server.IntegrationTests.Harness;

/// <summary>
/// The conformance servers over the S3 store (moto from <c>TUS_TEST_S3</c>) with the PostgreSQL lease lock
/// (<c>TUS_TEST_POSTGRES</c>): the production combination. Each server gets its own bucket.
/// </summary>
public sealed class S3Servers : TusServers
{
    /// <summary>Marks a complete upload in a snapshot: processing may later move its data into a blob.</summary>
    public const long Complete = -1;

    private const string Prefix = "uploads/";

    private static string ServiceUrl => Required("TUS_TEST_S3");

    public static string BucketOf(string workDirectory) => Path.GetFileName(workDirectory).ToLowerInvariant();

    /// <summary>
    /// Every object of every unfinished upload with its size, and each complete upload once (the pipeline may
    /// release a complete upload's data into a blob in the background, so only its existence is compared).
    /// </summary>
    public override async Task<IReadOnlyDictionary<string, long>> SnapshotStorageAsync(TusServerProcess server)
    {
        using var client = CreateClient();
        var bucket = BucketOf(server.WorkDirectory);
        var objects = new Dictionary<string, long>();
        string? continuation = null;
        do
        {
            var page = await client.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request
            {
                BucketName = bucket,
                Prefix = Prefix,
                ContinuationToken = continuation,
            }).WaitAsync(TimeSpan.FromSeconds(30));
            foreach (var item in page.S3Objects ?? [])
            {
                objects[item.Key[Prefix.Length..]] = item.Size ?? 0;
            }

            continuation = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (continuation is not null);

        var snapshot = new Dictionary<string, long>();
        foreach (var (name, size) in objects)
        {
            var id = name.Split('.')[0];
            if (name.StartsWith("blobs/", StringComparison.Ordinal))
            {
                continue;
            }

            if (objects.ContainsKey(id + ".info") && await IsCompleteAsync(client, bucket, id))
            {
                snapshot[id] = Complete;
                continue;
            }

            snapshot[name] = size;
        }

        return snapshot;
    }

    protected override IReadOnlyDictionary<string, string> StoreSettings(string workDirectory) =>
        new Dictionary<string, string>
        {
            ["Store:Kind"] = "s3",
            ["Store:S3:ServiceUrl"] = ServiceUrl,
            ["Store:S3:Bucket"] = BucketOf(workDirectory),
            ["Store:S3:Prefix"] = Prefix,
            ["Store:S3:AccessKey"] = "test",
            ["Store:S3:SecretKey"] = "test",
            ["Store:S3:CreateBucket"] = "true",
            ["Locking:Kind"] = "postgres",
            ["Postgres:ConnectionString"] = Required("TUS_TEST_POSTGRES"),
        };

    private static AmazonS3Client CreateClient() => S3StoreRegistration.CreateClient(new S3StoreOptions
    {
        ServiceUrl = ServiceUrl,
        AccessKey = "test",
        SecretKey = "test",
    });

    private static async Task<bool> IsCompleteAsync(AmazonS3Client client, string bucket, string id)
    {
        try
        {
            using var response = await client.GetObjectAsync(bucket, Prefix + id + ".info")
                .WaitAsync(TimeSpan.FromSeconds(10));
            using var info = await JsonDocument.ParseAsync(response.ResponseStream).WaitAsync(TimeSpan.FromSeconds(10));
            var root = info.RootElement;
            return root.TryGetProperty("assembled", out var assembled) && assembled.GetBoolean();
        }
        catch (AmazonS3Exception)
        {
            // Deleted between listing and reading: its objects count as they were listed.
            return false;
        }
    }

    private static string Required(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{variable} is not set: run the tests with scripts/test.sh, or start the services with "
                + "'bash scripts/services.sh start postgres s3' and eval \"$(bash scripts/services.sh env)\".");
}
