using System.Net.Http.Json;
using System.Text.Json;
using Keypod.Core.Billing;
using Keypod.Core.Ledger;
using Keypod.Core.Pricing;
using Keypod.Tests.Gateway;
using Keypod.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Keypod.Tests.Billing;

/// <summary>Every way a row gets its price when the response did not carry one.</summary>
public sealed class CostResolutionTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task A_stream_that_ends_without_usage_is_priced_from_the_generation_record()
    {
        var keys = await fixture.App.CreateKeysAsync();
        const string generationId = "gen-1790000000-NoUsageStreamAbCdEfGh";
        fixture.Upstream.Handler = async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync(
                $$$"""data: {"id":"{{{generationId}}}","model":"openai/gpt-4o-mini","provider":"OpenAI","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hi"}}]}""" + "\n\n");
            await context.Response.WriteAsync("data: [DONE]\n\n");
            // OpenRouter writes the record a moment later: 404 for the first second.
            fixture.Upstream.Generations[generationId] = (DateTime.UtcNow.AddSeconds(1),
                $$$"""{"data":{"id":"{{{generationId}}}","model":"openai/gpt-4o-mini","provider_name":"OpenAI","total_cost":0.00004321,"usage":0.00004321,"is_byok":false,"tokens_prompt":12,"tokens_completion":7}}""");
        };
        try
        {
            using var client = fixture.App.CreateClient(keys.Bearer);
            await client.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("""{"model":"openai/gpt-4o-mini","stream":true}"""));

            (await fixture.App.LedgerAsync(keys.ProjectId)).Single().CostSource.Should().Be(CostSource.Pending);
            var rows = await fixture.App.WaitForLedgerAsync(keys.ProjectId, r => r.Single().CostSource != CostSource.Pending, TimeSpan.FromSeconds(15));

            var row = rows.Single();
            row.CostSource.Should().Be(CostSource.Generation);
            row.UpstreamCostUsd.Should().Be(0.00004321m);
            row.BilledUsd.Should().Be(Markup.Bill(0.00004321m, 10m));
            row.PromptTokens.Should().Be(12);
            row.CompletionTokens.Should().Be(7);
        }
        finally
        {
            fixture.Upstream.Handler = null;
        }
    }

    [Fact]
    public async Task Usage_with_tokens_but_no_cost_is_priced_from_the_catalog_for_the_served_model()
    {
        var keys = await fixture.App.CreateKeysAsync();
        await WaitForCatalogAsync();
        fixture.Upstream.Handler = async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(
                """{"id":"gen-1790000001-CatalogPricedAbCdEfG","model":"openai/gpt-4o-mini","provider":"OpenAI","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1000,"completion_tokens":200,"total_tokens":1200,"prompt_tokens_details":{"cached_tokens":400}}}""");
        };
        try
        {
            using var client = fixture.App.CreateClient(keys.Bearer);
            // Requested one model, served another (a fallback): the served model is what gets billed.
            await client.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("""{"model":"anthropic/claude-haiku-4.5","models":["openai/gpt-4o-mini"]}"""));

            var row = (await fixture.App.LedgerAsync(keys.ProjectId)).Single();
            var prices = CatalogPrices("openai/gpt-4o-mini");
            var expected = 600 * prices["prompt"] + 400 * prices["input_cache_read"] + 200 * prices["completion"];
            row.CostSource.Should().Be(CostSource.Catalog);
            row.UpstreamCostUsd.Should().Be(expected);
            row.BilledUsd.Should().Be(Markup.Bill(expected, 10m));
        }
        finally
        {
            fixture.Upstream.Handler = null;
        }
    }

    [Fact]
    public async Task A_request_with_neither_usage_nor_a_generation_record_is_unpriced_and_shows_as_such()
    {
        var keys = await fixture.App.CreateKeysAsync();
        await WaitForCatalogAsync();
        fixture.Upstream.Handler = async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(
                """{"id":"gen-1790000002-NeverRecordedAbCdEfG","model":"unknown-lab/secret-model","choices":[{"index":0,"message":{"role":"assistant","content":"ok"}}],"usage":{"prompt_tokens":10,"completion_tokens":5}}""");
        };
        try
        {
            using var client = fixture.App.CreateClient(keys.Bearer);
            await client.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("""{"model":"unknown-lab/secret-model"}"""));

            var row = (await fixture.App.LedgerAsync(keys.ProjectId)).Single();
            row.CostSource.Should().BeOneOf(CostSource.Pending, CostSource.Unpriced);
            var rows = await fixture.App.WaitForLedgerAsync(keys.ProjectId, r => r.Single().CostSource == CostSource.Unpriced, TimeSpan.FromSeconds(20));
            rows.Single().CostSource.Should().Be(CostSource.Unpriced);
            rows.Single().BilledUsd.Should().BeNull("unpriced is never a silent $0");

            using var admin = fixture.App.CreateAdminClient();
            var page = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{keys.ProjectId}/requests");
            page.GetProperty("items")[0].GetProperty("costSource").GetString().Should().Be("unpriced");
            page.GetProperty("items")[0].GetProperty("billedUsd").ValueKind.Should().Be(JsonValueKind.Null);
            var usage = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{keys.ProjectId}/usage");
            usage.GetProperty("totals").GetProperty("unpricedRequests").GetInt64().Should().Be(1);
        }
        finally
        {
            fixture.Upstream.Handler = null;
        }
    }

    async Task WaitForCatalogAsync()
    {
        var catalog = fixture.App.Services.GetRequiredService<PricingCatalog>();
        for (var i = 0; i < 200 && catalog.ListedModelCount == 0; i++)
        {
            await Task.Delay(50);
        }
        catalog.ListedModelCount.Should().BePositive("the catalog loads from the fake upstream at start-up");
    }

    static Dictionary<string, decimal> CatalogPrices(string model)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Fixtures.PathOf("models/models-2026-08-19.json")));
        var pricing = document.RootElement.GetProperty("data").EnumerateArray().Single(m => m.GetProperty("id").GetString() == model).GetProperty("pricing");
        return pricing.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String)
            .ToDictionary(p => p.Name, p => decimal.Parse(p.Value.GetString()!, System.Globalization.CultureInfo.InvariantCulture));
    }
}
