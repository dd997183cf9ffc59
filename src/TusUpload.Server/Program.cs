using Microsoft.Extensions.Options;
using TusUpload.Pipeline;
using TusUpload.Protocol;
using TusUpload.Server;

try
{
    // Settings are read once (options are validated at start). Reloading them on change meant a recursive watch
    // of the content root, where the default data folder lives: every upload's file events woke the watcher.
    var builder = WebApplication.CreateBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);

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
    // A setting the operator has to fix, not a crash: one line per failure and exit code 2, no stack trace.
    foreach (var failure in invalid.Failures)
    {
        await Console.Error.WriteLineAsync($"Invalid configuration: {failure}");
    }

    return 2;
}

/// <summary>Entry point; public so that tests can reference the assembly's host.</summary>
public partial class Program;
