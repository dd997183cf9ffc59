using Microsoft.AspNetCore.Connections;
using TusUpload.Pipeline;
using TusUpload.Protocol;
using TusUpload.Protocol.Storage;
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
catch (IOException taken) when (taken.InnerException is AddressInUseException)
{
    // Another process listens there already: the operator has to free the address or pick another, so one line
    // says which, rather than an abort with a stack trace.
    await Console.Error.WriteLineAsync($"Cannot start: {taken.Message}");
    return 1;
}
catch (Npgsql.NpgsqlException refused)
{
    // The ledger's or the lock's database refused or did not answer the start (a wrong password, no such database,
    // missing rights, an outage): the server does not start without it. One line, not a crash with a stack trace.
    await Console.Error.WriteLineAsync($"Cannot start: PostgreSQL refused: {HostSettings.FirstLine(refused.Message)}");
    return 1;
}
catch (StoreStartException unreachable)
{
    // Not a bad setting for certain (the service may only be down), so exit code 1, as for a taken address.
    await Console.Error.WriteLineAsync($"Cannot start: {unreachable.Message}");
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
