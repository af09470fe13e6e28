using Keypod.Tests.Infrastructure;
using System.Globalization;
using System.Text.Json;
using Keypod.Core.Pricing;

namespace Keypod.Tests.Pricing;

/// <summary>
/// Every model of OpenRouter's real catalog, priced by <see cref="CostCalculator"/> and checked against an independent
/// computation written here straight from the JSON with <see cref="JsonDocument"/> and decimal arithmetic.
/// </summary>
public sealed class CatalogConformanceTests
{
    const string CurrentCatalog = "models/models-2026-08-19.json";

    static readonly TokenMix[] Mixes =
    [
        new(PromptTokens: 12_345, CompletionTokens: 2_345, CachedTokens: 3_000, CacheWriteTokens: 1_000, ReasoningTokens: 700, WebSearches: 2, Images: 1),
        new(PromptTokens: 300_000, CompletionTokens: 8_000, CachedTokens: 100_000, CacheWriteTokens: 20_000, ReasoningTokens: 5_000, WebSearches: 1),
        new(PromptTokens: 40_000, CompletionTokens: 1, ReasoningTokens: 0),
    ];

    static readonly DateTime[] Times =
    [
        new(2026, 8, 19, 0, 30, 0, DateTimeKind.Utc),
        new(2026, 8, 19, 2, 30, 0, DateTimeKind.Utc),
        new(2026, 8, 19, 5, 0, 0, DateTimeKind.Utc),
        new(2026, 8, 19, 9, 59, 0, DateTimeKind.Utc),
        new(2026, 8, 19, 11, 0, 0, DateTimeKind.Utc),
    ];

    [Fact]
    public void Every_model_of_the_current_catalog_is_priced_as_computed_independently()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Fixtures.PathOf(CurrentCatalog)));
        var models = document.RootElement.GetProperty("data").EnumerateArray().ToList();
        models.Should().HaveCount(414);

        var priced = 0;
        var variable = 0;
        var modelsWithOverrides = new HashSet<string>();
        var costsChangedByOverrides = 0;
        foreach (var element in models)
        {
            ListedModel.TryRead(element, out var listed, out var problem).Should().BeTrue(problem);
            var price = listed!.ToPrice(DateTime.UnixEpoch);
            var pricing = element.GetProperty("pricing");
            if (pricing.TryGetProperty("overrides", out _))
            {
                modelsWithOverrides.Add(listed.Id);
            }
            foreach (var mix in Mixes)
            {
                foreach (var at in Times)
                {
                    var expected = IndependentCost(pricing, mix, at, applyOverrides: true);
                    var actual = CostCalculator.Cost(price, mix, at);
                    actual.Should().Be(expected, $"{listed.Id} with {mix} at {at:HH:mm}");
                    if (expected is null)
                    {
                        variable++;
                        continue;
                    }
                    priced++;
                    if (expected != IndependentCost(pricing, mix, at, applyOverrides: false))
                    {
                        costsChangedByOverrides++;
                    }
                }
            }
        }

        priced.Should().BeGreaterThan(400 * Mixes.Length * Times.Length);
        variable.Should().Be(5 * Mixes.Length * Times.Length, "openrouter/auto, auto-beta, fusion, pareto-code and bodybuilder are variable-priced");
        modelsWithOverrides.Should().HaveCount(61);
        costsChangedByOverrides.Should().BeGreaterThan(100, "tiered models must be priced on their tiers");
    }

    [Fact]
    public void Long_decimal_prices_are_read_exactly()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Fixtures.PathOf(CurrentCatalog)));
        var flash = document.RootElement.GetProperty("data").EnumerateArray().Single(m => m.GetProperty("id").GetString() == "google/gemini-3.7-flash");

        ListedModel.TryRead(flash, out var listed, out _).Should().BeTrue();

        listed!.Pricing.InputCacheWrite.Should().Be(0.0000000208333333333333m);
        JsonSerializer.Deserialize<ModelPricing>("""{"prompt":"0.00000008333333333333334","completion":"1e-7","request":0.0004}""", OpenRouterJson.Options)
            .Should().BeEquivalentTo(new ModelPricing { Prompt = 0.00000008333333333333334m, Completion = 0.0000001m, Request = 0.0004m });
    }

    [Fact]
    public void The_older_catalog_shape_with_only_data_parses_and_prices()
    {
        var response = JsonSerializer.Deserialize<ModelListResponse>(File.ReadAllText(Fixtures.PathOf("models/models-2026-05-22.json")), OpenRouterJson.Options);

        response!.TotalCount.Should().BeNull();
        response.Data.Should().HaveCount(356);
        var at = new DateTime(2026, 5, 22, 12, 0, 0, DateTimeKind.Utc);
        foreach (var element in response.Data!)
        {
            ListedModel.TryRead(element, out var listed, out var problem).Should().BeTrue(problem);
            var cost = CostCalculator.Cost(listed!.ToPrice(at), Mixes[0], at);
            cost.Should().Be(IndependentCost(element.GetProperty("pricing"), Mixes[0], at, applyOverrides: true), listed.Id);
        }
    }

    [Fact]
    public void Garbage_model_objects_are_rejected_with_a_reason()
    {
        using var document = JsonDocument.Parse("""
            [{"name":"no id","pricing":{"prompt":"0","completion":"0"}},
             {"id":"a/no-pricing"},
             {"id":"a/bad-price","pricing":{"prompt":"cheap","completion":"0"}},
             "not an object"]
            """);

        foreach (var element in document.RootElement.EnumerateArray())
        {
            ListedModel.TryRead(element, out var listed, out var problem).Should().BeFalse();
            listed.Should().BeNull();
            problem.Should().NotBeNullOrEmpty();
        }
    }

    /// <summary>
    /// OpenRouter's rules, written independently of the production code: uncached prompt = prompt − cached − written;
    /// reasoning at internal_reasoning only where it differs from the base completion price; overrides applied in order
    /// when their conditions hold (prompt tokens strictly above min_prompt_tokens, HHMM window [start, end) possibly
    /// wrapping, weekday list); absent keys 0; any negative price means "variable".
    /// </summary>
    static decimal? IndependentCost(JsonElement pricing, TokenMix mix, DateTime at, bool applyOverrides)
    {
        var values = new Dictionary<string, decimal>();
        foreach (var property in pricing.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String))
        {
            values[property.Name] = decimal.Parse(property.Value.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        if (values.Values.Any(v => v < 0))
        {
            return null;
        }
        decimal Base(string key) => values.GetValueOrDefault(key);

        var rate = new Dictionary<string, decimal>
        {
            ["prompt"] = Base("prompt"),
            ["completion"] = Base("completion"),
            ["input_cache_read"] = Base("input_cache_read"),
            ["input_cache_write"] = Base("input_cache_write"),
        };
        if (applyOverrides && pricing.TryGetProperty("overrides", out var overrides))
        {
            foreach (var tier in overrides.EnumerateArray())
            {
                if (tier.TryGetProperty("min_prompt_tokens", out var minimum) && mix.PromptTokens <= minimum.GetInt32())
                {
                    continue;
                }
                if (tier.TryGetProperty("utc_start", out var start))
                {
                    var now = at.Hour * 100 + at.Minute;
                    var from = start.GetInt32();
                    var until = tier.GetProperty("utc_end").GetInt32();
                    var inside = from <= until ? now >= from && now < until : now >= from || now < until;
                    if (!inside)
                    {
                        continue;
                    }
                }
                if (tier.TryGetProperty("utc_days", out var days)
                    && !days.EnumerateArray().Any(d => string.Equals(d.GetString(), at.DayOfWeek.ToString(), StringComparison.OrdinalIgnoreCase)))
                {
                    continue;
                }
                foreach (var key in rate.Keys.ToList())
                {
                    if (tier.TryGetProperty(key, out var value))
                    {
                        rate[key] = decimal.Parse(value.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture);
                    }
                }
            }
        }

        var reasoningRate = values.TryGetValue("internal_reasoning", out var reasoning) && reasoning != Base("completion")
            ? reasoning
            : rate["completion"];
        var uncached = mix.PromptTokens - mix.CachedTokens - mix.CacheWriteTokens;
        return uncached * rate["prompt"]
            + mix.CachedTokens * rate["input_cache_read"]
            + mix.CacheWriteTokens * rate["input_cache_write"]
            + (mix.CompletionTokens - mix.ReasoningTokens) * rate["completion"]
            + mix.ReasoningTokens * reasoningRate
            + mix.Requests * Base("request")
            + mix.WebSearches * Base("web_search")
            + mix.Images * Base("image");
    }
}
