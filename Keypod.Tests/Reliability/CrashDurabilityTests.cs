using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Keypod.Core.Ledger;
using Keypod.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Keypod.Tests.Reliability;

/// <summary>The real Keypod process killed with SIGKILL under load, three times, on one database.</summary>
public sealed class CrashDurabilityTests : IAsyncLifetime
{
    readonly string databasePath = Path.Combine(Path.GetTempPath(), $"keypod-crash-{Guid.NewGuid():N}.db");
    FakeOpenRouter upstream = null!;

    public async Task InitializeAsync()
    {
        upstream = await FakeOpenRouter.StartAsync();
        upstream.Handler = upstream.Synthetic(events: 8, gap: TimeSpan.FromMilliseconds(25), recordDelay: TimeSpan.FromMilliseconds(500));
    }

    public async Task DisposeAsync()
    {
        await upstream.DisposeAsync();
        foreach (var path in new[] { databasePath, databasePath + "-wal", databasePath + "-shm" })
        {
            File.Delete(path);
        }
        if (Directory.Exists(databasePath + ".journal"))
        {
            Directory.Delete(databasePath + ".journal", recursive: true);
        }
    }

    [Fact]
    public async Task Every_completed_response_is_in_the_ledger_after_each_of_three_kills()
    {
        string? bearer = null;
        var completed = new ConcurrentBag<string>();
        var started = 0;
        for (var round = 0; round < 3; round++)
        {
            await using var keypod = new KeypodProcess(databasePath, upstream.BaseUrl);
            await keypod.StartAsync();
            // The keys live in the database, so the ones made on the first start keep working after each kill.
            bearer ??= await keypod.CreateBearerAsync("Crash");
            using var stop = new CancellationTokenSource();
            var workers = Enumerable.Range(0, 12).Select(worker => Task.Run(async () =>
            {
                using var client = keypod.CreateClient(bearer);
                while (!stop.IsCancellationRequested)
                {
                    Interlocked.Increment(ref started);
                    var stream = worker % 3 != 0;
                    try
                    {
                        using var response = await client.PostAsync("/v1/chat/completions",
                            Gateway.ProxyErrorTests.Json($$"""{"model":"fake/model","stream":{{(stream ? "true" : "false")}},"messages":[]}"""));
                        var body = await response.Content.ReadAsStringAsync();
                        var complete = response.IsSuccessStatusCode && (stream ? body.EndsWith("data: [DONE]\n\n", StringComparison.Ordinal) : body.EndsWith('}'));
                        if (complete)
                        {
                            completed.Add(response.Headers.GetValues("X-Keypod-Request-Id").Single());
                        }
                    }
                    catch (Exception exception) when (exception is HttpRequestException or IOException or TaskCanceledException)
                    {
                        // The kill cut this request: it was in flight, not completed.
                    }
                }
            })).ToList();

            await Task.Delay(TimeSpan.FromMilliseconds(1500));
            keypod.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(workers);
        }

        // One more start replays the last journal; then every completed response must be in the ledger exactly once.
        await using (var final = new KeypodProcess(databasePath, upstream.BaseUrl))
        {
            await final.StartAsync();
            await using var db = final.OpenDatabase();
            var ids = await db.UsageRecords.Select(r => r.RequestId).ToListAsync();
            completed.Should().NotBeEmpty();
            ids.Should().OnlyHaveUniqueItems();
            ids.Should().Contain(completed, "every response a client received completely has its ledger row");
            var interrupted = await db.UsageRecords.CountAsync(r => r.Outcome == Outcome.Interrupted);
            interrupted.Should().BePositive("requests in flight at each kill are recovered from the journal");
            ids.Count.Should().BeLessThanOrEqualTo(started);

            // Those that had reached the upstream (a generation id) are reconciled from /generation, once each.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (await db.UsageRecords.AnyAsync(r => r.CostSource == CostSource.Pending) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
            var recovered = await db.UsageRecords.AsNoTracking().Where(r => r.Outcome == Outcome.Interrupted && r.GenerationId != null).ToListAsync();
            recovered.Should().NotBeEmpty();
            foreach (var row in recovered)
            {
                row.CostSource.Should().Be(CostSource.Generation);
                using var record = JsonDocument.Parse(upstream.Generations[row.GenerationId!].Json);
                row.UpstreamCostUsd.Should().Be(record.RootElement.GetProperty("data").GetProperty("total_cost").GetDecimal());
            }
            (await db.UsageRecords.CountAsync(r => r.GenerationId != null))
                .Should().Be(await db.UsageRecords.Where(r => r.GenerationId != null).Select(r => r.GenerationId).Distinct().CountAsync(),
                    "no generation is counted twice");
        }
    }
}
