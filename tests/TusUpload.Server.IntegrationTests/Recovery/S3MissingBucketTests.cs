using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using TusUpload.Server.IntegrationTests.Harness;
using TusUpload.Store.S3;

namespace TusUpload.Server.IntegrationTests.Recovery;

/// <summary>
/// A missing bucket is never a missing upload: a server whose bucket is deleted under it answers every request with
/// a retryable 503 that says so, records no termination and is not ready; once the bucket is back its uploads
/// continue. A server configured with a bucket that does not exist (and not to create it) does not start: one line
/// names the bucket and the setting, and it exits with code 2 as for any other bad setting.
/// </summary>
[Collection(S3Collection.Name)]
public sealed class S3MissingBucketTests(S3Servers servers)
{
    private const string Reason = "Storage is unavailable: its S3 bucket does not exist; retry later.";

    private static async Task AnswerForbiddenAsync(System.Net.Sockets.TcpListener listener, CancellationToken stop)
    {
        const string Body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code>"
            + "<Message>Access Denied</Message></Error>";
        try
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await listener.AcceptTcpClientAsync(stop);
                var stream = client.GetStream();
                var request = new byte[16 * 1024];
                _ = await stream.ReadAsync(request, stop);
                var answer = "HTTP/1.1 403 Forbidden\r\nContent-Type: application/xml\r\nConnection: close\r\n"
                    + $"Content-Length: {Body.Length}\r\n\r\n{Body}";
                await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(answer), stop);
            }
        }
        catch (Exception ended) when (ended is OperationCanceledException or ObjectDisposedException
            or System.Net.Sockets.SocketException or IOException)
        {
            // The test is over, or a client went away mid-answer; nothing to clean up beyond the listener.
        }
    }

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_server_told_not_to_create_a_bucket_that_does_not_exist_names_both_in_one_line_and_exits_2()
    {
        var bucket = $"tus-it-missing-{Guid.NewGuid():N}";
        var settings = new Dictionary<string, string>
        {
            ["Store:S3:Bucket"] = bucket,
            ["Store:S3:CreateBucket"] = "false",
        };

        var (exitCode, output) = await servers.RunServerToExitAsync(settings, s_timeout);

        Assert.Equal(2, exitCode);
        Assert.Contains(
            $"Invalid configuration: S3 bucket {bucket} does not exist at {S3Servers.ServiceUrl} and "
            + "Store:S3:CreateBucket is false; create the bucket, or set Store:S3:CreateBucket=true",
            output,
            StringComparison.Ordinal);
        Assert.Equal(1, output.Split('\n').Count(line => line.Contains(bucket, StringComparison.Ordinal)));
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Hosting failed to start", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_whose_S3_service_does_not_answer_at_start_up_says_so_in_one_line_and_exits_1()
    {
        // A loopback port nothing listens on: the connection is refused at once, as by a service that is down.
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var serviceUrl = $"http://127.0.0.1:{port}";
        var settings = new Dictionary<string, string> { ["Store:S3:ServiceUrl"] = serviceUrl };

        var (exitCode, output) = await servers.RunServerToExitAsync(settings, s_timeout);

        Assert.Equal(1, exitCode);
        Assert.Contains($"Cannot start: the S3 service at {serviceUrl} did not answer for bucket ", output);
        Assert.Contains("Connection refused", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_whose_S3_service_accepts_and_never_answers_gives_up_at_its_startup_timeout_and_exits_1()
    {
        // The SDK's own timeouts and retries would hold the start for minutes; the bound is the store's setting.
        await using var silent = new SilentListener();
        var serviceUrl = $"http://127.0.0.1:{silent.Port}";
        var settings = new Dictionary<string, string>
        {
            ["Store:S3:ServiceUrl"] = serviceUrl,
            ["Store:S3:Bucket"] = "tus-it-silent",
            ["Store:S3:StartupTimeout"] = "00:00:02",
        };
        var running = System.Diagnostics.Stopwatch.StartNew();

        var (exitCode, output) = await servers.RunServerToExitAsync(settings, s_timeout);

        // The margin covers the process's own start on a busy machine, well short of the 30 s default.
        Assert.Equal(1, exitCode);
        Assert.True(running.Elapsed < TimeSpan.FromSeconds(2 + 15), $"exited after {running.Elapsed}:\n{output}");
        Assert.True(silent.Accepted > 0, "the server never reached the listener:\n" + output);
        var refusal = Assert.Single(
            output.Split('\n'),
            line => line.Contains("Cannot start", StringComparison.Ordinal));
        Assert.Equal(
            $"Cannot start: the S3 service at {serviceUrl} did not answer for bucket tus-it-silent: "
                + "no answer within 00:00:02 (Store:S3:StartupTimeout)",
            refusal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_whose_S3_service_refuses_its_credentials_names_the_settings_and_exits_2()
    {
        // A loopback stand-in for an S3 service that answers every request 403 AccessDenied, as one does for a
        // wrong key or a bucket policy that shuts this user out.
        using var denying = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        denying.Start();
        var serviceUrl = $"http://127.0.0.1:{((IPEndPoint)denying.LocalEndpoint).Port}";
        using var stop = new CancellationTokenSource();
        var answering = AnswerForbiddenAsync(denying, stop.Token);
        var settings = new Dictionary<string, string> { ["Store:S3:ServiceUrl"] = serviceUrl };

        try
        {
            var (exitCode, output) = await servers.RunServerToExitAsync(settings, s_timeout);

            Assert.Equal(2, exitCode);
            Assert.Contains($"Invalid configuration: the S3 service at {serviceUrl} refused access to bucket ", output);
            Assert.Contains("check Store:S3:AccessKey, SecretKey", output, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        }
        finally
        {
            await stop.CancelAsync();
            denying.Stop();
            await answering.WaitAsync(s_timeout);
        }
    }

    [Fact]
    public async Task A_bucket_deleted_under_a_server_answers_503_records_nothing_and_its_uploads_resume_when_back()
    {
        await using var server = await servers.StartServerAsync(TusServers.MainSettings).WaitAsync(s_timeout);
        using var tus = new TusClient(server);
        using var s3 = CreateClient();
        var bucket = S3Servers.BucketOf(server.WorkDirectory);
        var bytes = TusClient.RandomBytes(1000);
        var upload = await tus.CreateAsync(bytes.Length).WaitAsync(s_timeout);
        using (var first = await tus.PatchAsync(upload, 0, bytes[..100]).WaitAsync(s_timeout))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        }

        var saved = await EmptyAndDeleteBucketAsync(s3, bucket);
        var answers = new[]
        {
            await tus.HeadAsync(upload).WaitAsync(s_timeout),
            await tus.GetAsync(upload).WaitAsync(s_timeout),
            await tus.PatchAsync(upload, 100, bytes[100..200]).WaitAsync(s_timeout),
            await tus.DeleteAsync(upload).WaitAsync(s_timeout),
            await tus.PostAsync(10).WaitAsync(s_timeout),
        };
        using var notReady = await tus.Http.GetAsync(new Uri(server.BaseAddress, "/readyz")).WaitAsync(s_timeout);
        await RestoreBucketAsync(s3, bucket, saved);
        var offset = await tus.OffsetAsync(upload).WaitAsync(s_timeout);
        using var rest = await tus.PatchAsync(upload, 100, bytes[100..]).WaitAsync(s_timeout);
        using var ready = await tus.Http.GetAsync(new Uri(server.BaseAddress, "/readyz")).WaitAsync(s_timeout);

        foreach (var answer in answers)
        {
            using (answer)
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
                Assert.Equal(TimeSpan.FromSeconds(1), answer.Headers.RetryAfter?.Delta);
                if (answer.RequestMessage?.Method != HttpMethod.Head)
                {
                    Assert.Equal(Reason + "\n", await answer.Content.ReadAsStringAsync().WaitAsync(s_timeout));
                }
            }
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Equal(100, offset);
        Assert.Equal(HttpStatusCode.NoContent, rest.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(bytes, await tus.DownloadAsync(upload).WaitAsync(s_timeout));
    }

    private static AmazonS3Client CreateClient() => S3StoreRegistration.CreateClient(new S3StoreOptions
    {
        ServiceUrl = Environment.GetEnvironmentVariable("TUS_TEST_S3")!,
        AccessKey = "test",
        SecretKey = "test",
    });

    /// <summary>Deletes every object and then the bucket, returning the objects to put back.</summary>
    private static async Task<Dictionary<string, byte[]>> EmptyAndDeleteBucketAsync(IAmazonS3 s3, string bucket)
    {
        var saved = new Dictionary<string, byte[]>();
        var listing = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })
            .WaitAsync(s_timeout);
        foreach (var item in listing.S3Objects ?? [])
        {
            using var response = await s3.GetObjectAsync(bucket, item.Key).WaitAsync(s_timeout);
            using var copy = new MemoryStream();
            await response.ResponseStream.CopyToAsync(copy).WaitAsync(s_timeout);
            saved[item.Key] = copy.ToArray();
            await s3.DeleteObjectAsync(bucket, item.Key).WaitAsync(s_timeout);
        }

        await s3.DeleteBucketAsync(bucket).WaitAsync(s_timeout);
        return saved;
    }

    private static async Task RestoreBucketAsync(IAmazonS3 s3, string bucket, Dictionary<string, byte[]> saved)
    {
        await s3.PutBucketAsync(bucket).WaitAsync(s_timeout);
        foreach (var (key, bytes) in saved)
        {
            await s3.PutObjectAsync(new PutObjectRequest
            {
                BucketName = bucket,
                Key = key,
                InputStream = new MemoryStream(bytes),
                UseChunkEncoding = false,
            }).WaitAsync(s_timeout);
        }
    }
}
