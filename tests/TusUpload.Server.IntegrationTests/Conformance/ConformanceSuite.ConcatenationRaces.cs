using System.Net;
using TusUpload.Server.IntegrationTests.Harness;

namespace TusUpload.Server.IntegrationTests.Conformance;

public abstract partial class ConformanceSuite
{
    private const int RacePartialBytes = 2 * 1024 * 1024;
    private static readonly TimeSpan s_raceTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task X8_delete_of_a_partial_racing_final_creation_happens_wholly_before_or_after_it()
    {
        var outcomes = new List<string>();
        for (var round = 0; round < 20; round++)
        {
            var (bodies, partials) = await CreateRacePartialsAsync();

            // The last partial is copied last: a DELETE of it has the widest window to land in the middle of the copy.
            var victim = partials[^1];
            var concat = "final;" + string.Join(' ', partials.Select(partial => partial.AbsolutePath));
            var creating = Client.PostAsync(null, concat: concat);

            // Spread the DELETE over the creation: some rounds land before the partials are read, some during the
            // copy, some after.
            await Task.Delay(round % 5 * 3);
            var deleting = Client.DeleteAsync(victim);
            using var created = await creating.WaitAsync(s_raceTimeout);
            using var deleted = await deleting.WaitAsync(s_raceTimeout);

            outcomes.Add($"round {round}: POST {(int)created.StatusCode}, DELETE {(int)deleted.StatusCode}");
            Assert.True((int)created.StatusCode < 500, await DescribeAsync(outcomes, created));
            Assert.True((int)deleted.StatusCode < 500, await DescribeAsync(outcomes, deleted));
            Assert.Contains(deleted.StatusCode, (HttpStatusCode[])[HttpStatusCode.NoContent, HttpStatusCode.Locked]);
            Assert.Equal(deleted.StatusCode == HttpStatusCode.NoContent, await Client.OffsetAsync(victim) is null);

            if (created.StatusCode == HttpStatusCode.Created)
            {
                // Whether the DELETE waited for the copy or gave up (423), it did not reach into it.
                var final = created.Headers.Location!;
                Assert.Equal(
                    TusClient.Sha256([.. bodies[0], .. bodies[1], .. bodies[2]]),
                    TusClient.Sha256(await Client.DownloadAsync(final)));
                await DeleteQuietlyAsync([final, .. partials]);
                continue;
            }

            // The DELETE came first: the creation refuses the list for the missing partial, as for any unknown one.
            Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
            Assert.Equal(
                $"Partial upload {TusClient.IdOf(victim)} does not exist.\n",
                await created.Content.ReadAsStringAsync());
            await DeleteQuietlyAsync(partials);
        }
    }

    [Fact]
    public async Task X8_finals_sharing_partials_in_opposite_orders_are_created_concurrently()
    {
        for (var round = 0; round < 5; round++)
        {
            var (bodies, partials) = await CreateRacePartialsAsync();

            // Locking partials in listed order would have each creation hold one end and wait for the other;
            // the repeat checks that a partial listed twice is locked once.
            var forward = $"final;{partials[0].AbsolutePath} {partials[1].AbsolutePath} {partials[2].AbsolutePath}";
            var backward = $"final;{partials[2].AbsolutePath} {partials[1].AbsolutePath} {partials[0].AbsolutePath}"
                + $" {partials[2].AbsolutePath}";
            var creating = new[] { Client.PostAsync(null, concat: forward), Client.PostAsync(null, concat: backward) };
            using var first = await creating[0].WaitAsync(s_raceTimeout);
            using var second = await creating[1].WaitAsync(s_raceTimeout);

            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
            Assert.Equal(HttpStatusCode.Created, second.StatusCode);
            Assert.Equal(
                TusClient.Sha256([.. bodies[0], .. bodies[1], .. bodies[2]]),
                TusClient.Sha256(await Client.DownloadAsync(first.Headers.Location!)));
            Assert.Equal(
                TusClient.Sha256([.. bodies[2], .. bodies[1], .. bodies[0], .. bodies[2]]),
                TusClient.Sha256(await Client.DownloadAsync(second.Headers.Location!)));
            await DeleteQuietlyAsync([first.Headers.Location!, second.Headers.Location!, .. partials]);
        }
    }

    /// <summary>Three complete partial uploads of random content, and their bodies in the same order.</summary>
    private async Task<(byte[][] Bodies, List<Uri> Partials)> CreateRacePartialsAsync()
    {
        byte[][] bodies =
        [
            TusClient.RandomBytes(RacePartialBytes),
            TusClient.RandomBytes(RacePartialBytes),
            TusClient.RandomBytes(RacePartialBytes),
        ];
        var partials = new List<Uri>();
        foreach (var body in bodies)
        {
            partials.Add(await Client.CreateAsync(body.Length, concat: "partial", body: body));
        }

        return (bodies, partials);
    }

    private static async Task<string> DescribeAsync(List<string> outcomes, HttpResponseMessage response) =>
        string.Join('\n', outcomes) + "\n" + await response.Content.ReadAsStringAsync();

    /// <summary>Frees what a round stored, so twenty rounds of several MiB do not pile up on the test disk.</summary>
    private async Task DeleteQuietlyAsync(IEnumerable<Uri> uploads)
    {
        foreach (var upload in uploads)
        {
            using var response = await Client.DeleteAsync(upload);
        }
    }
}
