using Keypod.Tests.Infrastructure;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keypod.Core.Pricing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Keypod.Tests.Pricing;

/// <summary>The catalog over a real SQLite file with its migrations, fed by a fake upstream serving the real captures.</summary>
public sealed class PricingCatalogTests : IDisposable
{
    const string AllModalities = "models/models-all-modalities-2026-08-19.json";
    static readonly DateTimeOffset FirstFetch = new(2026, 8, 19, 8, 0, 0, TimeSpan.Zero);

    readonly TempDatabase database = new();
    readonly FakeOpenRouterHandler upstream = new();
    readonly ManualClock clock = new(FirstFetch);

    public void Dispose() => database.Dispose();

    [Fact]
    public async Task A_refresh_stores_every_model_and_serves_them_in_openrouter_shape()
    {
        upstream.ServeModels(File.ReadAllText(Fixtures.PathOf(AllModalities)));
        await using var app = await PricingHarness.StartAsync(database.Path, upstream, clock);

        var result = await app.Catalog.RefreshAsync();

        result.Should().Be(new CatalogRefreshResult(true, 549, 549, 0, null));
        upstream.Requests.Should().ContainSingle().Which.Uri.Should().Be(new Uri(PricingHarness.BaseUrl + "/models?output_modalities=all"));
        await using (var db = await app.OpenDbAsync())
        {
            (await db.CatalogModels.CountAsync()).Should().Be(549);
            (await db.ModelPrices.CountAsync()).Should().Be(549);
            var haiku = await db.CatalogModels.SingleAsync(m => m.Id == "anthropic/claude-haiku-4.5");
            haiku.CanonicalSlug.Should().Be("anthropic/claude-4.5-haiku-20251001");
            haiku.OutputModalities.Should().Equal("text");
        }

        // Default listing = text-output models, the same objects in the same order as OpenRouter's own default answer.
        using var served = JsonDocument.Parse(app.Catalog.ModelsJson()!.Value);
        using var upstreamDefault = JsonDocument.Parse(File.ReadAllText(Fixtures.PathOf("models/models-2026-08-19.json")));
        var servedModels = served.RootElement.GetProperty("data").EnumerateArray().ToList();
        var expectedModels = upstreamDefault.RootElement.GetProperty("data").EnumerateArray().ToList();
        servedModels.Select(m => m.GetProperty("id").GetString()).Should().Equal(expectedModels.Select(m => m.GetProperty("id").GetString()));
        servedModels.Zip(expectedModels).Should().OnlyContain(pair => JsonElement.DeepEquals(pair.First, pair.Second));

        JsonDocument.Parse(app.Catalog.ModelsJson("all")!.Value).RootElement.GetProperty("data").GetArrayLength().Should().Be(549);
        JsonDocument.Parse(app.Catalog.ModelsJson("embeddings")!.Value).RootElement.GetProperty("data").GetArrayLength().Should().Be(34);
    }

    [Fact]
    public async Task Lookups_accept_ids_canonical_slugs_and_dated_slugs_but_not_unknown_models()
    {
        upstream.ServeModels(File.ReadAllText(Fixtures.PathOf(AllModalities)));
        await using var app = await PricingHarness.StartAsync(database.Path, upstream, clock);
        await app.Catalog.RefreshAsync();
        var at = FirstFetch.UtcDateTime.AddMinutes(1);

        app.Catalog.FindPrice("anthropic/claude-haiku-4.5", at)!.ModelId.Should().Be("anthropic/claude-haiku-4.5");
        app.Catalog.FindPrice("anthropic/claude-4.5-haiku-20251001", at)!.ModelId.Should().Be("anthropic/claude-haiku-4.5");
        app.Catalog.FindPrice("anthropic/claude-4.5-haiku-20251101", at)!.ModelId.Should().Be("anthropic/claude-haiku-4.5", "a re-dated canonical slug");
        app.Catalog.FindPrice("openai/gpt-4o-mini-2024-07-18", at)!.ModelId.Should().Be("openai/gpt-4o-mini-2024-07-18", "it is an id of its own");
        app.Catalog.FindPrice("openai/gpt-5.5-2026-09-30", at)!.ModelId.Should().Be("openai/gpt-5.5", "a dated snapshot of a listed id");
        app.Catalog.FindPrice("google/gemini-3.7-flash-20260813", at)!.ModelId.Should().Be("google/gemini-3.7-flash", "the plain model, not its :batch variant");
        app.Catalog.FindPrice("google/gemini-3.7-flash:batch", at)!.Completion.Should().Be(0.0000009375m);
        app.Catalog.FindPrice("minimax/minimax-m2:free", at).Should().BeNull("that variant is not in this catalog and must not be priced as something else");
        app.Catalog.FindPrice("nobody/unknown-model", at).Should().BeNull();
        app.Catalog.EstimateCost("nobody/unknown-model", new TokenMix(10, 10), at).Should().BeNull();
        app.Catalog.EstimateCost("openrouter/auto", new TokenMix(10, 10), at).Should().BeNull("its price is variable");
    }

    [Fact]
    public async Task Prices_survive_the_database_exactly_overrides_included()
    {
        upstream.ServeModels(File.ReadAllText(Fixtures.PathOf(AllModalities)));
        await using (var app = await PricingHarness.StartAsync(database.Path, upstream, clock))
        {
            await app.Catalog.RefreshAsync();
        }

        await using var restarted = await PricingHarness.StartAsync(database.Path, upstream, clock);
        var at = FirstFetch.UtcDateTime.AddHours(1);
        using var document = JsonDocument.Parse(File.ReadAllText(Fixtures.PathOf(AllModalities)));
        foreach (var element in document.RootElement.GetProperty("data").EnumerateArray())
        {
            ListedModel.TryRead(element, out var listed, out _).Should().BeTrue();
            var expected = listed!.ToPrice(FirstFetch.UtcDateTime);
            var stored = restarted.Catalog.FindPrice(listed.Id, at);
            stored.Should().NotBeNull(listed.Id);
            stored!.HasSamePricesAs(expected).Should().BeTrue(listed.Id);
            stored.Overrides.Should().HaveSameCount(expected.Overrides, listed.Id);
        }
        restarted.Catalog.FindPrice("google/gemini-3.7-flash", at)!.InputCacheWrite.Should().Be(0.0000000208333333333333m);
        var deepseek = restarted.Catalog.FindPrice("deepseek/deepseek-v4-pro", at)!;
        deepseek.Overrides.OrderBy(o => o.Position).Select(o => (o.UtcStart, o.UtcEnd)).Should().Equal((1000, 100), (100, 400), (400, 600), (600, 1000));
    }

    [Fact]
    public async Task A_price_change_appends_history_and_earlier_requests_keep_the_old_price()
    {
        var catalog = JsonNode.Parse(File.ReadAllText(Fixtures.PathOf(AllModalities)))!;
        upstream.ServeModels(catalog.ToJsonString());
        await using var app = await PricingHarness.StartAsync(database.Path, upstream, clock);
        await app.Catalog.RefreshAsync();

        clock.Advance(TimeSpan.FromHours(6));
        var priceChange = clock.GetUtcNow().UtcDateTime;
        var gpt4oMini = catalog["data"]!.AsArray().Single(m => (string?)m!["id"] == "openai/gpt-4o-mini")!;
        gpt4oMini["pricing"]!["prompt"] = "0.00000012";
        upstream.ServeModels(catalog.ToJsonString());
        var second = await app.Catalog.RefreshAsync();

        second.NewPriceRows.Should().Be(1, "only the model whose price changed gets a new row");
        await using (var db = await app.OpenDbAsync())
        {
            (await db.ModelPrices.CountAsync(p => p.ModelId == "openai/gpt-4o-mini")).Should().Be(2);
            (await db.ModelPrices.CountAsync()).Should().Be(550);
        }
        app.Catalog.FindPrice("openai/gpt-4o-mini", priceChange.AddMinutes(-1))!.Prompt.Should().Be(0.00000015m);
        app.Catalog.FindPrice("openai/gpt-4o-mini", priceChange)!.Prompt.Should().Be(0.00000012m);
        app.Catalog.FindPrice("openai/gpt-4o-mini", priceChange.AddDays(30))!.Prompt.Should().Be(0.00000012m);
        app.Catalog.FindPrice("openai/gpt-4o-mini", FirstFetch.UtcDateTime.AddDays(-30))!.Prompt
            .Should().Be(0.00000015m, "before the first known price, the earliest known price is the best evidence");

        // An unchanged catalog fetched again adds nothing.
        clock.Advance(TimeSpan.FromHours(1));
        (await app.Catalog.RefreshAsync()).NewPriceRows.Should().Be(0);
    }

    [Fact]
    public async Task A_model_that_leaves_the_catalog_is_delisted_but_still_priced()
    {
        var catalog = JsonNode.Parse(File.ReadAllText(Fixtures.PathOf(AllModalities)))!;
        upstream.ServeModels(catalog.ToJsonString());
        await using var app = await PricingHarness.StartAsync(database.Path, upstream, clock);
        await app.Catalog.RefreshAsync();

        var data = catalog["data"]!.AsArray();
        data.Remove(data.Single(m => (string?)m!["id"] == "openai/gpt-4o-mini"));
        upstream.ServeModels(catalog.ToJsonString());
        clock.Advance(TimeSpan.FromHours(1));
        var result = await app.Catalog.RefreshAsync();

        result.Delisted.Should().Be(1);
        JsonDocument.Parse(app.Catalog.ModelsJson("all")!.Value).RootElement.GetProperty("data").EnumerateArray()
            .Select(m => m.GetProperty("id").GetString()).Should().NotContain("openai/gpt-4o-mini").And.HaveCount(548);
        app.Catalog.FindPrice("openai/gpt-4o-mini", clock.GetUtcNow().UtcDateTime)!.Prompt.Should().Be(0.00000015m);
    }

    public static TheoryData<string> BrokenUpstreams => ["throws", "500", "html", "empty list", "null body", "garbage models", "a tenth of the catalog", "timeout"];

    [Theory]
    [MemberData(nameof(BrokenUpstreams))]
    public async Task A_broken_upstream_keeps_the_last_good_copy_also_after_a_restart(string breakage)
    {
        upstream.ServeModels(File.ReadAllText(Fixtures.PathOf(AllModalities)));
        var at = FirstFetch.UtcDateTime.AddMinutes(5);
        await using (var app = await PricingHarness.StartAsync(database.Path, upstream, clock))
        {
            (await app.Catalog.RefreshAsync()).Succeeded.Should().BeTrue();
            var listingBefore = app.Catalog.ModelsJson()!.Value.ToArray();

            Break(breakage);
            clock.Advance(TimeSpan.FromHours(1));
            var failed = await app.Catalog.RefreshAsync();

            failed.Succeeded.Should().BeFalse();
            failed.ModelCount.Should().Be(549);
            failed.Problem.Should().NotBeNullOrEmpty();
            app.Catalog.FindPrice("openai/gpt-4o-mini", at)!.Prompt.Should().Be(0.00000015m);
            app.Catalog.ModelsJson()!.Value.ToArray().Should().Equal(listingBefore);
            app.Logs.Entries.Should().Contain(e => e.Level == LogLevel.Warning && e.Message.Contains("Keeping the stored catalog"));
            app.Logs.Entries.Should().NotContain(e => e.Message.Contains(PricingHarness.ApiKey), "the upstream key is never logged");
        }

        // Restart: a new catalog over the same file, upstream still broken.
        await using var restarted = await PricingHarness.StartAsync(database.Path, upstream, clock);
        (await restarted.Catalog.RefreshAsync()).Succeeded.Should().BeFalse();
        restarted.Catalog.FindPrice("openai/gpt-4o-mini", at)!.Prompt.Should().Be(0.00000015m);
        restarted.Catalog.ListedModelCount.Should().Be(549);
        JsonDocument.Parse(restarted.Catalog.ModelsJson()!.Value).RootElement.GetProperty("data").GetArrayLength().Should().Be(414);
        await using var db = await restarted.OpenDbAsync();
        (await db.CatalogModels.CountAsync(m => m.DelistedAt == null)).Should().Be(549);
    }

    [Fact]
    public async Task An_empty_store_with_the_upstream_down_lists_nothing_and_prices_nothing()
    {
        upstream.Fail(new HttpRequestException("Connection refused"));
        await using var app = await PricingHarness.StartAsync(database.Path, upstream, clock);

        var result = await app.Catalog.RefreshAsync();
        result.Succeeded.Should().BeFalse();
        result.ModelCount.Should().Be(0);
        result.Problem.Should().Contain("Connection refused");
        app.Catalog.ModelsJson().Should().BeNull();
        app.Catalog.FindPrice("openai/gpt-4o-mini", DateTime.UtcNow).Should().BeNull();

        // The upstream comes back: the same instance picks it up.
        upstream.ServeModels(File.ReadAllText(Fixtures.PathOf(AllModalities)));
        (await app.Catalog.RefreshAsync()).Succeeded.Should().BeTrue();
        app.Catalog.FindPrice("openai/gpt-4o-mini", DateTime.UtcNow).Should().NotBeNull();
    }

    [Fact]
    public async Task The_refresher_refreshes_in_the_background_without_holding_up_start_up_then_on_schedule()
    {
        var upstreamAnswers = new TaskCompletionSource();
        var json = File.ReadAllText(Fixtures.PathOf(AllModalities));
        upstream.Respond = async _ =>
        {
            await upstreamAnswers.Task;
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json) };
        };
        await using var app = await PricingHarness.StartAsync(database.Path, upstream, refreshInterval: TimeSpan.FromMilliseconds(300));

        var start = app.Refresher.StartAsync(CancellationToken.None);
        start.IsCompletedSuccessfully.Should().BeTrue("start-up must not wait for the upstream");
        await WaitUntil(() => upstream.Requests.Count >= 1);
        app.Catalog.ModelsJson().Should().BeNull("the upstream has not answered yet");

        upstreamAnswers.SetResult();
        await WaitUntil(() => app.Catalog.ListedModelCount == 549);
        await WaitUntil(() => upstream.Requests.Count >= 3);
        await app.Refresher.StopAsync(CancellationToken.None);

        (await app.Refresher.RefreshNowAsync()).Succeeded.Should().BeTrue();
        upstream.Requests.Should().OnlyContain(r => r.Authorization == "Bearer " + PricingHarness.ApiKey);
    }

    void Break(string breakage)
    {
        switch (breakage)
        {
            case "throws":
                upstream.Fail(new HttpRequestException("Name or service not known"));
                break;
            case "500":
                upstream.Serve("""{"error":{"code":500,"message":"Internal Server Error"}}""", HttpStatusCode.InternalServerError);
                break;
            case "html":
                upstream.Serve("<html><body>Bad gateway</body></html>");
                break;
            case "empty list":
                upstream.Serve("""{"data":[],"total_count":0}""");
                break;
            case "null body":
                upstream.Serve("null");
                break;
            case "garbage models":
                upstream.Serve("""{"data":[{"id":"x/y"},{"name":"no id"},42]}""");
                break;
            case "a tenth of the catalog":
                var catalog = JsonNode.Parse(File.ReadAllText(Fixtures.PathOf(AllModalities)))!;
                var data = catalog["data"]!.AsArray();
                while (data.Count > 55)
                {
                    data.RemoveAt(data.Count - 1);
                }
                upstream.Serve(catalog.ToJsonString());
                break;
            case "timeout":
                upstream.Fail(new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 60 seconds elapsing."));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(breakage), breakage, null);
        }
    }

    static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the condition should hold within 20 seconds");
            await Task.Delay(20);
        }
    }
}
