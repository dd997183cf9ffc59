using Amazon.S3;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using TusUpload.Protocol.Storage;
using TusUpload.Store.S3;

namespace TusUpload.Stores.IntegrationTests.S3;

/// <summary>
/// The S3 store's metrics, against the test S3 server: requests by operation and outcome, their durations, the
/// bytes sent and read, and the SDK's retries (against a server of the test's own that only answers 503).
/// </summary>
public sealed class S3MetricsTests(S3MeteredStoreFixture fixture) : IClassFixture<S3MeteredStoreFixture>
{
    private const int MiB = 1024 * 1024;

    private static readonly (string, string) Ok = ("outcome", "ok");

    private IUploadStore Store => fixture.Store;

    private S3MetricsRecorder Recorder => fixture.Recorder;

    [Fact]
    public async Task Upload_of_one_part_counts_its_puts_and_exactly_its_bytes()
    {
        var bytes = TestData.Bytes(MiB + 17, seed: 71);
        Recorder.Clear();

        var upload = await S3Chunks.CreateAsync(Store, bytes.Length);
        var completed = await S3Chunks.WriteAsync(Store, upload, bytes);
        var written = Recorder.Measurements;
        Recorder.Clear();
        var read = await S3Chunks.ReadAllAsync(Store, completed);

        Assert.True(completed.IsComplete);
        Assert.Equal(bytes, read);

        // Creation's conditional PUT of the info, the content in one PUT, the info recording it.
        Assert.Equal(3, Sum(written, S3Metrics.Requests, Op(S3Operation.PutObject), Ok));
        Assert.Equal(0, Sum(written, S3Metrics.Requests, Op(S3Operation.UploadPart)));
        Assert.Equal(0, Sum(written, S3Metrics.Requests, Op(S3Operation.CreateMultipartUpload)));
        Assert.Equal(["ok"], Values(written, S3Metrics.Requests, "outcome"));
        Assert.Equal(bytes.Length, Sum(written, S3Metrics.BytesSent, Content));
        Assert.Equal(bytes.Length, Sum(written, S3Metrics.BytesSent, Op(S3Operation.PutObject), Content));
        Assert.True(Sum(written, S3Metrics.BytesSent, Info) > 0);
        Assert.Equal(0, Sum(written, S3Metrics.BytesReceived, Content));
        AssertEveryRequestTimed(written);

        Assert.Equal(bytes.Length, Recorder.Sum(S3Metrics.BytesReceived, Op(S3Operation.GetObject), Content));
        Assert.True(Recorder.Sum(S3Metrics.Requests, Op(S3Operation.GetObject), Ok) >= 1);
    }

    [Fact]
    public async Task Multipart_upload_counts_each_multipart_step_and_its_parts_bytes()
    {
        var bytes = TestData.Bytes(6 * MiB + 5, seed: 72);
        Recorder.Clear();

        var upload = await S3Chunks.CreateAsync(Store, bytes.Length);
        var completed = await S3Chunks.WriteAsync(Store, upload, bytes);
        var written = Recorder.Measurements;

        Assert.True(completed.IsComplete);

        // One full part cut while the body streams, the remainder as the last part at completion.
        Assert.Equal(1, Sum(written, S3Metrics.Requests, Op(S3Operation.CreateMultipartUpload), Ok));
        Assert.Equal(2, Sum(written, S3Metrics.Requests, Op(S3Operation.UploadPart), Ok));
        Assert.Equal(1, Sum(written, S3Metrics.Requests, Op(S3Operation.CompleteMultipartUpload), Ok));
        Assert.Equal(bytes.Length, Sum(written, S3Metrics.BytesSent, Op(S3Operation.UploadPart), Content));
        Assert.Equal(bytes.Length, Sum(written, S3Metrics.BytesSent, Content));
        Assert.Equal(["ok"], Values(written, S3Metrics.Requests, "outcome"));
        AssertEveryRequestTimed(written);
    }

    [Fact]
    public async Task Get_of_a_missing_key_is_counted_as_not_found()
    {
        Recorder.Clear();

        var missing = fixture.Bucket.Keys.Content(TestData.NewId());
        var failure = await Assert.ThrowsAsync<UploadStoreException>(() => fixture.Bucket
            .OpenRangeAsync("test", missing, 0, 10, CancellationToken.None)
            .WaitAsync(TestData.Timeout));
        var state = await fixture.Bucket.ReadStateAsync(TestData.NewId(), CancellationToken.None)
            .WaitAsync(TestData.Timeout);

        Assert.IsAssignableFrom<AmazonS3Exception>(failure.InnerException);
        Assert.Null(state);

        // The missing info object is a failure the store expects and handles, but S3 refused it all the same.
        Assert.Equal(2, Recorder.Sum(S3Metrics.Requests, Op(S3Operation.GetObject), ("outcome", "not_found")));
        Assert.Equal(0, Recorder.Sum(S3Metrics.Requests, Op(S3Operation.GetObject), Ok));
        Assert.Equal(0, Recorder.Sum(S3Metrics.BytesReceived));
        Assert.Equal(2, Recorder.Count(S3Metrics.RequestDuration, Op(S3Operation.GetObject)));
    }

    [Fact]
    public async Task Writing_to_a_bucket_that_does_not_exist_is_counted_as_a_client_error()
    {
        using var recorder = new S3MetricsRecorder();
        var options = Options(S3TestEnvironment.ServiceUrl, bucket: $"tus-missing-{Guid.NewGuid():N}", retries: 0);
        var metrics = new S3Metrics(recorder.MeterFactory);
        using var client = S3StoreRegistration.CreateClient(options, metrics);
        var store = new S3UploadStore(
            new S3Bucket(client, new S3StoreSettings(options, null), metrics),
            NullLogger<S3UploadStore>.Instance);

        var failure = await Assert.ThrowsAsync<UploadStoreException>(() => S3Chunks.CreateAsync(store, 10));

        Assert.Equal(UploadStoreError.Unavailable, failure.Error);
        Assert.Equal(
            1,
            recorder.Sum(S3Metrics.Requests, Op(S3Operation.PutObject), ("outcome", "client_error")));
        Assert.Equal(1, recorder.Sum(S3Metrics.Requests));
        Assert.Equal(0, recorder.Sum(S3Metrics.BytesSent));
        Assert.Equal(0, recorder.Sum(S3Metrics.Retries));
    }

    [Fact]
    public async Task Retries_of_the_client_are_counted_once_each_beside_the_one_failed_request()
    {
        await using var server = new FailingS3Server();
        using var recorder = new S3MetricsRecorder();
        var options = Options(server.ServiceUrl, bucket: "tus-failing", retries: 2);
        var metrics = new S3Metrics(recorder.MeterFactory);
        using var client = S3StoreRegistration.CreateClient(options, metrics);
        var bucket = new S3Bucket(client, new S3StoreSettings(options, null), metrics);

        var failure = await Assert.ThrowsAsync<UploadStoreException>(() => bucket
            .GetSizeAsync("test", "some/key", CancellationToken.None)
            .WaitAsync(TestData.Timeout));

        Assert.Equal(UploadStoreError.Unavailable, failure.Error);
        Assert.Equal(3, server.Requests);
        Assert.Equal(2, recorder.Sum(S3Metrics.Retries, Op(S3Operation.HeadObject)));
        Assert.Equal(1, recorder.Sum(S3Metrics.Requests, Op(S3Operation.HeadObject), ("outcome", "server_error")));
        Assert.Equal(1, recorder.Sum(S3Metrics.Requests));
    }

    [Fact]
    public void Registration_meters_the_store_only_where_the_host_has_a_meter_factory()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Store:S3:ServiceUrl"] = S3TestEnvironment.ServiceUrl,
                ["Store:S3:AccessKey"] = "test",
                ["Store:S3:SecretKey"] = "test",
            })
            .Build();
        using var plain = new ServiceCollection().AddLogging().AddS3UploadStore(configuration).BuildServiceProvider();
        using var metered = new ServiceCollection()
            .AddLogging()
            .AddMetrics()
            .AddS3UploadStore(configuration)
            .BuildServiceProvider();

        Assert.NotNull(plain.GetRequiredService<IUploadStore>());
        Assert.False(plain.GetRequiredService<S3Bucket>().Metrics.Enabled);
        Assert.Equal(typeof(AmazonS3Client), plain.GetRequiredService<IAmazonS3>().GetType());
        Assert.True(metered.GetRequiredService<S3Bucket>().Metrics.Enabled);
        Assert.Same(metered.GetRequiredService<S3Metrics>(), metered.GetRequiredService<S3Bucket>().Metrics);
        Assert.NotEqual(typeof(AmazonS3Client), metered.GetRequiredService<IAmazonS3>().GetType());
    }

    private static (string, string) Content => ("object", S3Metrics.ContentObject);

    private static (string, string) Info => ("object", S3Metrics.InfoObject);

    private static (string, string) Op(string operation) => ("operation", operation);

    private static S3StoreOptions Options(string serviceUrl, string bucket, int retries) => new()
    {
        ServiceUrl = serviceUrl,
        Bucket = bucket,
        AccessKey = "test",
        SecretKey = "test",
        PartSize = S3StoreFixture.PartSize,
        MaxRetries = retries,
        RequestTimeout = TimeSpan.FromSeconds(10),
    };

    private static double Sum(
        IReadOnlyList<S3Measurement> measurements,
        string instrument,
        params (string Key, string Value)[] tags) =>
        measurements.Where(measurement => measurement.Instrument == instrument
                && tags.All(tag => measurement.Tags.TryGetValue(tag.Key, out var value) && value == tag.Value))
            .Sum(measurement => measurement.Value);

    private static string[] Values(IReadOnlyList<S3Measurement> measurements, string instrument, string tag) =>
        [.. measurements.Where(measurement => measurement.Instrument == instrument)
            .Select(measurement => measurement.Tags[tag])
            .Distinct()
            .Order(StringComparer.Ordinal)];

    /// <summary>Every request counted has one duration, under the same operation, and none is negative.</summary>
    private static void AssertEveryRequestTimed(IReadOnlyList<S3Measurement> measurements)
    {
        foreach (var operation in Values(measurements, S3Metrics.Requests, "operation"))
        {
            var durations = measurements
                .Where(measurement => measurement.Instrument == S3Metrics.RequestDuration
                    && measurement.Tags["operation"] == operation)
                .Select(measurement => measurement.Value)
                .ToList();
            Assert.Equal(Sum(measurements, S3Metrics.Requests, Op(operation)), durations.Count);
            Assert.All(durations, seconds => Assert.InRange(seconds, 0, TestData.Timeout.TotalSeconds));
        }
    }
}
