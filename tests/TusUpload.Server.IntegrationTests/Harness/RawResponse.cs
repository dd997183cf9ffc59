using System.Globalization;

namespace TusUpload.Server.IntegrationTests.Harness;

/// <summary>A response read off a raw socket: status, headers as sent, body.</summary>
public sealed record RawResponse(int StatusCode, IReadOnlyList<KeyValuePair<string, string>> Headers, string Body)
{
    public string? Header(string name) =>
        Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    public static RawResponse Parse(string head)
    {
        var lines = head.Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = lines.Skip(1)
            .Select(line => line.Split(':', 2))
            .Select(parts => KeyValuePair.Create(parts[0].Trim(), parts.Length > 1 ? parts[1].Trim() : string.Empty))
            .ToList();
        return new RawResponse(status, headers, string.Empty);
    }
}
