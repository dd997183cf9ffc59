using TusUpload.Store.S3;

namespace TusUpload.Stores.IntegrationTests.S3;

/// <summary>An S3 store whose metrics go to a recorder of its own.</summary>
public sealed class S3MeteredStoreFixture : S3StoreFixture, IDisposable
{
    public S3MeteredStoreFixture()
        : this(new S3MetricsRecorder())
    {
    }

    private S3MeteredStoreFixture(S3MetricsRecorder recorder)
        : base(S3StoreOptions.MaxPartsLimit, recorder.MeterFactory)
    {
        Recorder = recorder;
    }

    internal S3MetricsRecorder Recorder { get; }

    public void Dispose() => Recorder.Dispose();
}
