using Keypod.Core.Ledger;
using Keypod.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Keypod.Tests.Reliability;

public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task Sigterm_lets_open_streams_finish_and_flushes_the_ledger()
    {
        await using var upstream = await FakeOpenRouter.StartAsync();
        upstream.Handler = upstream.Synthetic(events: 30, gap: TimeSpan.FromMilliseconds(50), recordDelay: TimeSpan.Zero);
        var databasePath = Path.Combine(Path.GetTempPath(), $"keypod-sigterm-{Guid.NewGuid():N}.db");
        try
        {
            await using var keypod = new KeypodProcess(databasePath, upstream.BaseUrl);
            await keypod.StartAsync();
            var bearer = await keypod.CreateBearerAsync();
            using var client = keypod.CreateClient(bearer);
            var streams = Enumerable.Range(0, 10).Select(_ => Task.Run(async () =>
            {
                using var response = await client.PostAsync("/v1/chat/completions",
                    Gateway.ProxyErrorTests.Json("""{"model":"fake/model","stream":true,"messages":[]}"""));
                return await response.Content.ReadAsStringAsync();
            })).ToList();
            await Task.Delay(500);

            var exitCode = await keypod.TerminateAsync(TimeSpan.FromSeconds(30));

            exitCode.Should().Be(0);
            foreach (var body in await Task.WhenAll(streams))
            {
                body.Should().EndWith("data: [DONE]\n\n", "streams open at SIGTERM are drained, not cut");
            }
            await using var db = keypod.OpenDatabase();
            var rows = await db.UsageRecords.ToListAsync();
            rows.Should().HaveCount(10).And.OnlyContain(r => r.Outcome == Outcome.Completed && r.CostSource == CostSource.Upstream);
            Directory.GetFiles(databasePath + ".journal").Should().BeEmpty("a clean stop leaves nothing to recover");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var path in new[] { databasePath, databasePath + "-wal", databasePath + "-shm" })
            {
                File.Delete(path);
            }
            if (Directory.Exists(databasePath + ".journal"))
            {
                Directory.Delete(databasePath + ".journal", recursive: true);
            }
        }
    }
}
