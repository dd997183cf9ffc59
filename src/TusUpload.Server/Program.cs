using Microsoft.Extensions.Options;
using TusUpload.Pipeline;
using TusUpload.Protocol;
using TusUpload.Server;

try
{
    var builder = WebApplication.CreateBuilder(HostSettings.ReadOnce(args));

    builder.AddServerHosting();
    builder.Services.AddTusProtocol(builder.Configuration.GetSection(TusOptions.SectionName));
    builder.AddUploadStore();
    builder.AddUploadLocking();
    builder.AddUploadPipeline();

    var app = builder.Build();

    app.UseServerHosting();
    app.MapTus();
    app.MapUploadStatus();

    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException invalid)
{
    return await HostSettings.ReportAsync(invalid);
}

/// <summary>Entry point; public so that tests can reference the assembly's host.</summary>
public partial class Program;
