using TusUpload.Pipeline;
using TusUpload.Protocol;
using TusUpload.Server;

var builder = WebApplication.CreateBuilder(args);

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

/// <summary>Entry point; public so that tests can reference the assembly's host.</summary>
public partial class Program;
