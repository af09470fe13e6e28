using Keypod.Core.Pricing;

namespace Keypod.Tests.Pricing;

/// <summary>The cost rules on hand-made prices, with expected amounts worked out by hand.</summary>
public sealed class CostCalculatorTests
{
    static readonly DateTime Noon = new(2026, 8, 19, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Cached_reads_and_cache_writes_are_taken_out_of_the_prompt_and_counted_once()
    {
        var price = new ModelPrice
        {
            ModelId = "anthropic/claude-sonnet-4",
            Prompt = 0.000003m,
            Completion = 0.000015m,
            InputCacheRead = 0.0000003m,
            InputCacheWrite = 0.00000375m,
        };

        // 300 uncached × 3e-6 + 600 read × 3e-7 + 100 written × 3.75e-6 + 50 × 1.5e-5
        CostCalculator.Cost(price, new TokenMix(PromptTokens: 1000, CompletionTokens: 50, CachedTokens: 600, CacheWriteTokens: 100), Noon)
            .Should().Be(0.002205m);
    }

    [Fact]
    public void A_separate_reasoning_rate_prices_the_reasoning_part_of_the_completion_and_searches_are_per_search()
    {
        var price = new ModelPrice
        {
            ModelId = "perplexity/sonar-deep-research",
            Prompt = 0.000002m,
            Completion = 0.000008m,
            InternalReasoning = 0.000003m,
            WebSearch = 0.005m,
        };

        // 100 × 2e-6 + (1000 − 800) × 8e-6 + 800 × 3e-6 + 3 × 0.005
        CostCalculator.Cost(price, new TokenMix(PromptTokens: 100, CompletionTokens: 1000, ReasoningTokens: 800, WebSearches: 3), Noon)
            .Should().Be(0.0192m);
    }

    [Fact]
    public void A_reasoning_rate_equal_to_completion_follows_the_completion_tier()
    {
        // google/gemini-2.5-pro: internal_reasoning repeats completion; above 200k prompt tokens completion rises to 1.5e-5.
        var price = new ModelPrice
        {
            ModelId = "google/gemini-2.5-pro",
            Prompt = 0.00000125m,
            Completion = 0.00001m,
            InternalReasoning = 0.00001m,
            Overrides = [new PriceOverride { Position = 0, MinPromptTokens = 200000, Prompt = 0.0000025m, Completion = 0.000015m }],
        };

        // 250000 × 2.5e-6 + 1000 × 1.5e-5 (reasoning included at the tier's completion rate)
        CostCalculator.Cost(price, new TokenMix(PromptTokens: 250_000, CompletionTokens: 1000, ReasoningTokens: 600), Noon)
            .Should().Be(0.64m);
    }

    [Fact]
    public void Prompt_token_tiers_apply_strictly_above_their_threshold_and_later_tiers_win()
    {
        var price = QwenMaxLike();
        var atThreshold = new TokenMix(PromptTokens: 32_000, CompletionTokens: 0);
        var aboveThreshold = atThreshold with { PromptTokens = 32_001 };

        CostCalculator.RatesFor(price, atThreshold.PromptTokens, Noon).Prompt.Should().Be(0.00000078m);
        CostCalculator.RatesFor(price, aboveThreshold.PromptTokens, Noon).Prompt.Should().Be(0.00000156m);
        CostCalculator.RatesFor(price, 128_001, Noon).Prompt.Should().Be(0.00000195m, "both tiers apply and the later one wins");

        // 70000 × 1.56e-6 + 20000 × 3.12e-7 + 10000 × 1.95e-6 + 1000 × 7.8e-6
        CostCalculator.Cost(price, new TokenMix(100_000, 1000, CachedTokens: 20_000, CacheWriteTokens: 10_000), Noon)
            .Should().Be(0.14274m);
    }

    [Fact]
    public void A_tier_keeps_the_base_price_for_keys_it_does_not_set()
    {
        var price = QwenMaxLike();
        price.Overrides.Add(new PriceOverride { Position = 2, MinPromptTokens = 500_000, Completion = 0.00002m });

        var rates = CostCalculator.RatesFor(price, 600_000, Noon);

        rates.Completion.Should().Be(0.00002m);
        rates.Prompt.Should().Be(0.00000195m, "the last tier does not set prompt, so the earlier tier's value stays");
        rates.InputCacheRead.Should().Be(0.00000039m);
    }

    [Theory]
    [InlineData(0, 30, false)]
    [InlineData(0, 59, false)]
    [InlineData(1, 0, true)]
    [InlineData(3, 59, true)]
    [InlineData(4, 0, false)]
    [InlineData(5, 59, false)]
    [InlineData(6, 0, true)]
    [InlineData(9, 59, true)]
    [InlineData(10, 0, false)]
    [InlineData(23, 59, false)]
    public void Utc_windows_are_hhmm_half_open_and_may_wrap_past_midnight(int hour, int minute, bool peak)
    {
        // deepseek/deepseek-v4-pro as listed on 2026-08-19: 10:00→01:00 base, 01:00→04:00 double, 04:00→06:00 base, 06:00→10:00 double.
        var price = new ModelPrice
        {
            ModelId = "deepseek/deepseek-v4-pro",
            Prompt = 0.00000066m,
            Completion = 0.00000198m,
            InputCacheRead = 0.000000022m,
            Overrides =
            [
                new PriceOverride { Position = 0, UtcStart = 1000, UtcEnd = 100, Prompt = 0.00000066m, Completion = 0.00000198m },
                new PriceOverride { Position = 1, UtcStart = 100, UtcEnd = 400, Prompt = 0.00000132m, Completion = 0.00000396m },
                new PriceOverride { Position = 2, UtcStart = 400, UtcEnd = 600, Prompt = 0.00000066m, Completion = 0.00000198m },
                new PriceOverride { Position = 3, UtcStart = 600, UtcEnd = 1000, Prompt = 0.00000132m, Completion = 0.00000396m },
            ],
        };
        var at = new DateTime(2026, 10, 4, hour, minute, 0, DateTimeKind.Utc);

        CostCalculator.Cost(price, new TokenMix(PromptTokens: 1000, CompletionTokens: 100), at)
            .Should().Be(peak ? 0.001716m : 0.000858m);
    }

    [Fact]
    public void Utc_days_limit_a_tier_to_the_listed_weekdays()
    {
        var price = new ModelPrice
        {
            ModelId = "example/weekend-discount",
            Prompt = 0.000001m,
            Completion = 0.000002m,
            Overrides = [new PriceOverride { Position = 0, UtcDays = "saturday,sunday", Prompt = 0.0000005m }],
        };

        CostCalculator.RatesFor(price, 10, new DateTime(2026, 8, 22, 12, 0, 0, DateTimeKind.Utc)).Prompt.Should().Be(0.0000005m, "a Saturday");
        CostCalculator.RatesFor(price, 10, new DateTime(2026, 8, 24, 12, 0, 0, DateTimeKind.Utc)).Prompt.Should().Be(0.000001m, "a Monday");
    }

    [Fact]
    public void Fees_per_request_and_per_image_are_added_and_absent_keys_cost_nothing()
    {
        var withFees = new ModelPrice { ModelId = "a", Prompt = 0.000001m, Completion = 0.000002m, Request = 0.0004m, Image = 0.001m };
        var withoutFees = new ModelPrice { ModelId = "b", Prompt = 0.000001m, Completion = 0.000002m };
        var usage = new TokenMix(PromptTokens: 10, CompletionTokens: 10, WebSearches: 2, Images: 2);

        CostCalculator.Cost(withFees, usage, Noon).Should().Be(10 * 0.000001m + 10 * 0.000002m + 0.0004m + 2 * 0.001m);
        CostCalculator.Cost(withoutFees, usage, Noon).Should().Be(10 * 0.000001m + 10 * 0.000002m);
    }

    [Fact]
    public void Counts_that_do_not_add_up_are_clamped_instead_of_going_negative()
    {
        var price = new ModelPrice { ModelId = "a", Prompt = 0.000001m, Completion = 0.000002m, InputCacheRead = 0.0000001m, InternalReasoning = 0.000005m };

        // More cached than prompt: no negative uncached part. More reasoning than completion: capped at the completion.
        CostCalculator.Cost(price, new TokenMix(PromptTokens: 10, CompletionTokens: 5, CachedTokens: 20, ReasoningTokens: 9), Noon)
            .Should().Be(20 * 0.0000001m + 5 * 0.000005m);
    }

    [Fact]
    public void Variable_priced_router_models_have_no_catalog_cost()
    {
        var router = new ModelPrice { ModelId = "openrouter/auto", Prompt = -1m, Completion = -1m };

        CostCalculator.Cost(router, new TokenMix(100, 100), Noon).Should().BeNull();
    }

    static ModelPrice QwenMaxLike() => new()
    {
        ModelId = "qwen/qwen3-max",
        Prompt = 0.00000078m,
        Completion = 0.0000039m,
        InputCacheRead = 0.000000156m,
        InputCacheWrite = 0.000000975m,
        Overrides =
        [
            new PriceOverride { Position = 0, MinPromptTokens = 32000, Prompt = 0.00000156m, Completion = 0.0000078m, InputCacheRead = 0.000000312m, InputCacheWrite = 0.00000195m },
            new PriceOverride { Position = 1, MinPromptTokens = 128000, Prompt = 0.00000195m, Completion = 0.00000975m, InputCacheRead = 0.00000039m, InputCacheWrite = 0.0000024375m },
        ],
    };
}
