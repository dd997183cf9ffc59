using System.Text.Json;
using System.Text.Json.Nodes;
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

    public static string ServiceUrl => Required("TUS_TEST_S3");

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

    /// <summary>
    /// Sends <paramref name="bytes"/> as part <paramref name="partNumber"/> of the upload's multipart upload, as a late
    /// request of a writer that lost the upload would, and returns the part's ETag.
    /// </summary>
    public static async Task<string> OverwritePartAsync(
        TusServerProcess server,
        string id,
        int partNumber,
        byte[] bytes)
    {
        using var client = CreateClient();
        var bucket = BucketOf(server.WorkDirectory);
        var info = await ReadInfoAsync(client, bucket, id);
        var response = await client.UploadPartAsync(new Amazon.S3.Model.UploadPartRequest
        {
            BucketName = bucket,
            Key = Prefix + id,
            UploadId = info["multipartUploadId"]!.GetValue<string>(),
            PartNumber = partNumber,
            InputStream = new MemoryStream(bytes, writable: false),
            PartSize = bytes.Length,
            UseChunkEncoding = false,
        }).WaitAsync(TimeSpan.FromSeconds(30));
        return response.ETag;
    }

    /// <summary>
    /// Uploads <paramref name="lastPart"/> and records it in the info object as the upload's last part, unassembled:
    /// what a crash between the final commit's info write and CompleteMultipartUpload leaves behind.
    /// </summary>
    public static async Task RecordLastPartUnassembledAsync(
        TusServerProcess server,
        string id,
        int partNumber,
        byte[] lastPart)
    {
        var etag = await OverwritePartAsync(server, id, partNumber, lastPart);
        using var client = CreateClient();
        var bucket = BucketOf(server.WorkDirectory);
        var info = await ReadInfoAsync(client, bucket, id);
        info["parts"]!.AsArray().Add(new JsonObject
        {
            ["number"] = partNumber,
            ["eTag"] = etag,
            ["size"] = lastPart.Length,
        });
        info["revision"] = info["revision"]!.GetValue<long>() + 1;
        await client.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest
        {
            BucketName = bucket,
            Key = Prefix + id + ".info",
            ContentBody = info.ToJsonString(),
            UseChunkEncoding = false,
        }).WaitAsync(TimeSpan.FromSeconds(30));
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

    private static async Task<JsonObject> ReadInfoAsync(AmazonS3Client client, string bucket, string id)
    {
        using var response = await client.GetObjectAsync(bucket, Prefix + id + ".info")
            .WaitAsync(TimeSpan.FromSeconds(10));
        return (await JsonNode.ParseAsync(response.ResponseStream).WaitAsync(TimeSpan.FromSeconds(10)))!.AsObject();
    }

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
