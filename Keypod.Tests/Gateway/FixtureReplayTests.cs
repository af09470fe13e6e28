using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keypod.Core.Billing;
using Keypod.Core.Ledger;
using Keypod.Tests.Infrastructure;

namespace Keypod.Tests.Gateway;

/// <summary>Every capture replayed by the fake upstream reaches the client unchanged, and the ledger bills its exact cost.</summary>
public sealed class FixtureReplayTests(PassthroughGatewayFixture fixture) : IClassFixture<PassthroughGatewayFixture>
{
    public static TheoryData<string> StreamFixtures() => [.. Fixtures.Files("stream", "*.sse").Concat(Fixtures.Files("errors", "*.sse"))];

    public static TheoryData<string> ChatFixtures() => [.. Fixtures.Files("chat", "*.json")];

    [Theory]
    [MemberData(nameof(StreamFixtures))]
    public async Task Stream_reaches_the_client_byte_for_byte_and_is_billed_at_its_usage_cost(string capture)
    {
        var keys = await fixture.App.CreateKeysAsync();
        var expected = Fixtures.Bytes(capture);

        var received = await ReplayAsync(fixture.App, keys, capture, stream: true);

        received.Should().Equal(expected);
        var row = (await fixture.App.LedgerAsync(keys.ProjectId)).Should().ContainSingle().Subject;
        var cost = FixtureExpectations.CostOfStream(expected);
        cost.Should().NotBeNull("every stream capture carries usage");
        row.UpstreamCostUsd.Should().Be(cost);
        row.CostSource.Should().Be(CostSource.Upstream);
        row.BilledUsd.Should().Be(Markup.Bill(cost!.Value, 10m));
        row.Stream.Should().BeTrue();
        row.GenerationId.Should().StartWith("gen-");
    }

    [Theory]
    [MemberData(nameof(ChatFixtures))]
    public async Task Body_reaches_the_client_byte_for_byte_and_is_billed_at_its_usage_cost(string capture)
    {
        var keys = await fixture.App.CreateKeysAsync();
        var expected = Fixtures.Bytes(capture);

        var received = await ReplayAsync(fixture.App, keys, capture, stream: false);

        received.Should().Equal(expected);
        var row = (await fixture.App.LedgerAsync(keys.ProjectId)).Should().ContainSingle().Subject;
        var cost = FixtureExpectations.CostOfBody(expected);
        cost.Should().NotBeNull();
        row.UpstreamCostUsd.Should().Be(cost);
        row.BilledUsd.Should().Be(cost!.Value * 1.10m);
        row.CostSource.Should().Be(CostSource.Upstream);
        row.Outcome.Should().Be(Outcome.Completed);
    }

    internal static async Task<byte[]> ReplayAsync(KeypodApp app, TestKeys keys, string capture, bool stream)
    {
        using var client = app.CreateClient(keys.Bearer);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(
                $$"""{"model":"anthropic/claude-haiku-4.5","messages":[{"role":"user","content":"Hi"}],"stream":{{(stream ? "true" : "false")}}}""",
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(FakeOpenRouter.FixtureHeader, capture);
        using var response = await client.SendAsync(request);
        response.IsSuccessStatusCode.Should().BeTrue();
        return await response.Content.ReadAsByteArrayAsync();
    }
}

/// <summary>With cost rewriting on (the default) only the usage chunk changes, and only in its cost fields.</summary>
public sealed class CostRewriteTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Theory]
    [MemberData(nameof(FixtureReplayTests.StreamFixtures), MemberType = typeof(FixtureReplayTests))]
    public async Task Stream_differs_only_in_the_cost_fields_of_the_usage_chunk(string capture)
    {
        var keys = await fixture.App.CreateKeysAsync();
        var upstreamBytes = Fixtures.Bytes(capture);

        var received = await FixtureReplayTests.ReplayAsync(fixture.App, keys, capture, stream: true);

        var expectedEvents = FakeOpenRouter.SplitEvents(upstreamBytes);
        var receivedEvents = FakeOpenRouter.SplitEvents(received);
        receivedEvents.Should().HaveSameCount(expectedEvents);
        var row = (await fixture.App.LedgerAsync(keys.ProjectId)).Single();
        var rewritten = 0;
        for (var i = 0; i < expectedEvents.Count; i++)
        {
            if (expectedEvents[i].AsSpan().SequenceEqual(receivedEvents[i]))
            {
                continue;
            }
            rewritten++;
            AssertOnlyCostChanged(Payload(expectedEvents[i]), Payload(receivedEvents[i]), row.UpstreamCostUsd!.Value, row.BilledUsd!.Value);
        }
        rewritten.Should().Be(1, "exactly one chunk carries usage");
    }

    [Theory]
    [MemberData(nameof(FixtureReplayTests.ChatFixtures), MemberType = typeof(FixtureReplayTests))]
    public async Task Body_differs_only_in_its_cost_fields(string capture)
    {
        var keys = await fixture.App.CreateKeysAsync();
        var upstreamBytes = Fixtures.Bytes(capture);

        var received = await FixtureReplayTests.ReplayAsync(fixture.App, keys, capture, stream: false);

        var row = (await fixture.App.LedgerAsync(keys.ProjectId)).Single();
        row.BilledUsd.Should().Be(row.UpstreamCostUsd * 1.10m);
        AssertOnlyCostChanged(Encoding.UTF8.GetString(upstreamBytes), Encoding.UTF8.GetString(received), row.UpstreamCostUsd!.Value, row.BilledUsd!.Value);
        var leadingWhitespace = upstreamBytes.TakeWhile(b => b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t').Count();
        received.Take(leadingWhitespace).Should().Equal(upstreamBytes.Take(leadingWhitespace), "keep-alive whitespace passes unchanged");
    }

    static string Payload(byte[] sseEvent) => Encoding.UTF8.GetString(sseEvent).TrimEnd('\n')["data: ".Length..];

    static void AssertOnlyCostChanged(string upstreamJson, string clientJson, decimal upstreamCost, decimal billed)
    {
        var upstream = JsonNode.Parse(upstreamJson)!.AsObject();
        var client = JsonNode.Parse(clientJson)!.AsObject();
        using (var clientDoc = JsonDocument.Parse(clientJson))
        {
            var usage = clientDoc.RootElement.GetProperty("usage");
            usage.GetProperty("cost").GetDecimal().Should().Be(billed);
            usage.GetProperty("cost_details").GetProperty("keypod_upstream_cost").GetDecimal().Should().Be(upstreamCost);
        }
        var clientUsage = client["usage"]!.AsObject();
        clientUsage.Remove("cost");
        clientUsage["cost_details"]!.AsObject().Remove("keypod_upstream_cost");
        if (clientUsage["cost_details"]!.AsObject().Count == 0 && upstream["usage"]!["cost_details"] is null)
        {
            clientUsage.Remove("cost_details");
        }
        upstream["usage"]!.AsObject().Remove("cost");
        JsonNode.DeepEquals(upstream, client).Should().BeTrue("only usage.cost and cost_details.keypod_upstream_cost may differ");
    }
}
