using System.Globalization;
using TusUpload.ClamAV;
using TusUpload.Pipeline.IntegrationTests.Outbox;

namespace TusUpload.Pipeline.IntegrationTests.Processing;

/// <summary>The clamd client's verdict lines name the upload the processor opened the scan for.</summary>
public sealed class ScanLogTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Verdict_lines_name_the_upload_the_session_was_opened_for()
    {
        var (host, port) = ProcessingTestHost.SplitEndpoint(ProcessingTestHost.ClamdEndpoint);
        var logger = new RecordingLogger<ClamdClient>();
        var options = new ClamdOptions { Host = host, Port = int.Parse(port, CultureInfo.InvariantCulture) };
        var client = new ClamdClient(options, logger);

        await using var infected = client.OpenScanSession("upload-infected");
        await infected.WriteAsync(ProcessingTestHost.Eicar()).AsTask().WaitAsync(Wait);
        await infected.CompleteAsync().WaitAsync(Wait);
        await using var clean = client.OpenScanSession("upload-clean");
        await clean.WriteAsync(new byte[10_000]).AsTask().WaitAsync(Wait);
        await clean.CompleteAsync().WaitAsync(Wait);

        // {UploadId} in the template is its own field in the JSON log, so the text proves the field is there.
        var found = Assert.Single(logger.Messages(5004));
        Assert.StartsWith("Scan of upload upload-infected (", found, StringComparison.Ordinal);
        var cleanLine = Assert.Single(logger.Messages(5003));
        Assert.StartsWith("Scan of upload upload-clean (", cleanLine, StringComparison.Ordinal);
    }
}
