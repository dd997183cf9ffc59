using System.Globalization;
using System.Text.RegularExpressions;

namespace TusUpload.Server.IntegrationTests.Harness;

/// <summary>Reads a server's <c>/metrics</c> exposition and adds up samples by name and label.</summary>
public static partial class MetricsScrape
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    public static async Task<string> ScrapeAsync(TusServerProcess server)
    {
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = s_timeout };
        return await http.GetStringAsync(new Uri("/metrics", UriKind.Relative)).WaitAsync(s_timeout);
    }

    /// <summary>Sum of the samples of <paramref name="name"/> whose labels contain <paramref name="label"/>.</summary>
    public static double Sum(string exposition, string name, string label = "")
    {
        var total = 0d;
        foreach (Match sample in Sample().Matches(exposition))
        {
            if (sample.Groups["name"].Value == name
                && sample.Groups["labels"].Value.Contains(label, StringComparison.Ordinal))
            {
                total += double.Parse(sample.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }

        return total;
    }

    public static void AssertGrew(string before, string after, string name, double atLeast) =>
        Assert.True(
            Sum(after, name) >= Sum(before, name) + atLeast,
            $"{name}: {Sum(before, name)} before, {Sum(after, name)} after; expected a rise of at least {atLeast}.");

    // Label values are quoted and may hold braces themselves (the route pattern "/files/{**id}").
    [GeneratedRegex(
        """^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?<labels>(?:[^}"]|"(?:[^"\\]|\\.)*")*)\})? (?<value>\S+)$""",
        RegexOptions.Multiline)]
    private static partial Regex Sample();
}
