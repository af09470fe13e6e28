using System.Text.Json;
using Keypod.Core.Billing;
using Keypod.Core.Ledger;
using Keypod.Tests.Gateway;
using Keypod.Tests.Infrastructure;

namespace Keypod.Tests.Billing;

/// <summary>
/// Clients that hang up mid-stream: Keypod cancels the upstream (providers stop generating, so less is charged) and
/// reconciles what was charged from the generation record.
/// </summary>
public sealed class ClientAbortTests
{
    [Fact]
    public async Task Forty_streams_aborted_mid_way_all_end_with_the_upstreams_cost()
    {
        await using var upstream = await FakeOpenRouter.StartAsync();
        upstream.Handler = upstream.Synthetic(events: 60, gap: TimeSpan.FromMilliseconds(40), recordDelay: TimeSpan.FromSeconds(1));
        // The harness's 4 s lookup window (3 lookups) is short for 40 reconciliations on a loaded CI machine, where a
        // cancelled stream's record can appear later than that; production waits 2 minutes. 20 s gives 5 lookups.
        await using var app = new KeypodApp(upstream, new Dictionary<string, string?> { ["Keypod:Pricing:GenerationLookupWindow"] = "00:00:20" });
        var keys = await app.CreateKeysAsync();
        // No draining on dispose: the client really hangs up, as a killed script or a closed browser tab does.
        using var client = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = app.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", keys.Bearer);

        var aborted = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = ProxyErrorTests.Json("""{"model":"fake/model","stream":true,"messages":[]}"""),
            };
            using var cancel = new CancellationTokenSource();
            var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
            var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));
            var events = 0;
            while (events < 3 + i % 10 && await reader.ReadLineAsync(cancel.Token) is { } line)
            {
                if (line.StartsWith("data: {", StringComparison.Ordinal))
                {
                    events++;
                }
            }
            await cancel.CancelAsync();
            response.Dispose();
            return events;
        }));

        aborted.Should().OnlyContain(events => events >= 3);
        var rows = await app.WaitForLedgerAsync(keys.ProjectId,
            r => r.Count == 40 && r.All(x => x.CostSource != CostSource.Pending), TimeSpan.FromSeconds(30));
        rows.Should().HaveCount(40);
        rows.Should().OnlyContain(r => r.Outcome == Outcome.ClientAborted && r.CostSource == CostSource.Generation);
        foreach (var row in rows)
        {
            upstream.Generations.Should().ContainKey(row.GenerationId!);
            using var record = JsonDocument.Parse(upstream.Generations[row.GenerationId!].Json);
            var charged = record.RootElement.GetProperty("data").GetProperty("total_cost").GetDecimal();
            record.RootElement.GetProperty("data").GetProperty("cancelled").GetBoolean().Should().BeTrue();
            row.UpstreamCostUsd.Should().Be(charged);
            row.BilledUsd.Should().Be(Markup.Bill(charged, 10m));
        }
    }
}
