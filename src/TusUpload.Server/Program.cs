using TusUpload.Pipeline;
using TusUpload.Protocol;
using TusUpload.Server;

try
{
    var builder = WebApplication.CreateBuilder(HostSettings.ReadOnce(args));
    ListenAddresses.Check(builder.Configuration[WebHostDefaults.ServerUrlsKey]);

    builder.AddServerHosting();
    builder.Services.AddTusProtocol(builder.Configuration.GetSection(TusOptions.SectionName));
    builder.AddUploadStore();
    builder.AddUploadLocking();
    builder.AddUploadPipeline();

    var app = builder.Build();
    ServerSettings.WarnAboutUnknownKeys(app);
    HostSettings.CheckAll(app.Services);
    await HostSettings.StartStoreAsync(app.Services);
    using var claim = LocalDataClaim.Take(app.Services, app.Configuration);

    app.UseServerHosting();
    app.MapTus();
    app.MapUploadStatus();

    await app.RunAsync();
    return 0;
}
catch (Exception badSetting) when (HostSettings.IsBadSetting(badSetting))
{
    return await HostSettings.ReportAsync(badSetting);
}
catch (Exception failed) when (HostSettings.StartRefusal(failed) is { } reason)
{
    // Something outside the process: one line says what, rather than an abort with a stack trace.
    await Console.Error.WriteLineAsync($"Cannot start: {reason}");
    return 1;
}
catch (LocalDataInUseException inUse)
{
    // Checked before the host starts anything, so the running server's uploads and outbox are left untouched.
    await Console.Error.WriteLineAsync($"Cannot start: {inUse.Message}");
    return 1;
}

/// <summary>Entry point; public so that tests can reference the assembly's host.</summary>
public partial class Program;
