using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TusUpload.Server;

/// <summary>
/// Health answers as small JSON: the overall status and each check's status by name. Descriptions and
/// exceptions stay in the log, since they can name hosts, paths or connection details.
/// </summary>
internal static class HealthResponses
{
    public const string ReadyTag = "ready";

    public static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";

        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>()
            .CreateLogger(typeof(HealthResponses).FullName!);
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", report.Status.ToString());
        json.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteString(name, entry.Status.ToString());
            if (entry.Status != HealthStatus.Healthy)
            {
                ServerLog.ReadinessFailed(logger, name, entry.Status.ToString());
            }
        }

        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }
}
