namespace TusUpload.Protocol.Storage;

/// <summary>
/// What a store does once before the host starts anything (the S3 store creates or checks its bucket). The hosts
/// run it after the settings are validated and before the host's own start, so that a setting the store finds
/// unworkable there (an <c>OptionsValidationException</c>) is reported like every other bad setting: inside the
/// host's start it was logged as "Hosting failed to start" with a stack trace and crashed the process.
/// </summary>
public interface IStoreStartup
{
    Task StartAsync(CancellationToken cancellationToken);
}
