using Keypod.Core.Usage;

namespace Keypod.Core.Pricing;

/// <summary>
/// What one request consumed, in OpenRouter's counting: <see cref="CachedTokens"/> and <see cref="CacheWriteTokens"/> are
/// part of <see cref="PromptTokens"/>, <see cref="ReasoningTokens"/> part of <see cref="CompletionTokens"/>.
/// </summary>
public readonly record struct TokenMix(
    int PromptTokens,
    int CompletionTokens,
    int CachedTokens = 0,
    int CacheWriteTokens = 0,
    int ReasoningTokens = 0,
    int WebSearches = 0,
    int Requests = 1,
    int Images = 0)
{
    public static TokenMix From(UpstreamUsage usage) => new(
        usage.PromptTokens, usage.CompletionTokens, usage.CachedTokens, usage.CacheWriteTokens, usage.ReasoningTokens, usage.WebSearches);
}

/// <summary>
/// Prices a request from the catalog, for when the upstream did not say what it charged. Rules, all in
/// <see cref="decimal"/> with no rounding (round once, where the bill is made):
/// <list type="bullet">
/// <item>prompt tokens minus cached reads minus cache writes at <c>prompt</c>; cached reads at <c>input_cache_read</c>;
/// cache writes at <c>input_cache_write</c> — cached tokens are counted once;</item>
/// <item>completion tokens at <c>completion</c> (OpenRouter: "reasoning tokens are considered output tokens and charged
/// accordingly"), except that the reasoning tokens among them cost <c>internal_reasoning</c> when the model lists that key
/// with a value other than its base <c>completion</c> — a genuinely separate rate, as <c>perplexity/sonar-deep-research</c>
/// has. Where it merely repeats <c>completion</c> (the Gemini models) reasoning follows the completion rate, including
/// its long-prompt tier: Gemini 2.5 Pro above 200k prompt tokens bills thinking at the raised output price;</item>
/// <item>plus <c>request</c> per request, <c>web_search</c> per search, <c>image</c> per input image;</item>
/// <item>keys OpenRouter omits are 0, as its catalog documents (zero prices are left out);</item>
/// <item>tiered <c>overrides</c> are chosen by the total prompt tokens and the request's UTC time.</item>
/// </list>
/// </summary>
public static class CostCalculator
{
    /// <summary>The USD cost, or null when the model's price is variable (router models list <c>-1</c>) and only the upstream knows it.</summary>
    public static decimal? Cost(ModelPrice price, TokenMix usage, DateTime atUtc)
    {
        if (price.IsVariable)
        {
            return null;
        }
        var rates = RatesFor(price, usage.PromptTokens, atUtc);
        var cachedReads = Math.Max(usage.CachedTokens, 0);
        var cacheWrites = Math.Max(usage.CacheWriteTokens, 0);
        var uncachedPrompt = Math.Max(usage.PromptTokens - cachedReads - cacheWrites, 0);
        var completion = Math.Max(usage.CompletionTokens, 0);
        var reasoning = Math.Clamp(usage.ReasoningTokens, 0, completion);

        return uncachedPrompt * rates.Prompt
            + cachedReads * rates.InputCacheRead
            + cacheWrites * rates.InputCacheWrite
            + (completion - reasoning) * rates.Completion
            + reasoning * (price.InternalReasoning is { } reasoningRate && reasoningRate != price.Completion ? reasoningRate : rates.Completion)
            + Math.Max(usage.Requests, 0) * price.Request
            + Math.Max(usage.WebSearches, 0) * price.WebSearch
            + Math.Max(usage.Images, 0) * price.Image;
    }

    /// <summary>The token rates in force for a request of <paramref name="promptTokens"/> at <paramref name="atUtc"/>, overrides applied.</summary>
    public static TokenRates RatesFor(ModelPrice price, int promptTokens, DateTime atUtc)
    {
        var rates = new TokenRates(price.Prompt, price.Completion, price.InputCacheRead, price.InputCacheWrite, price.InputCacheWrite1h);
        foreach (var tier in price.Overrides.OrderBy(o => o.Position))
        {
            if (tier.AppliesTo(promptTokens, atUtc))
            {
                rates = new TokenRates(
                    tier.Prompt ?? rates.Prompt,
                    tier.Completion ?? rates.Completion,
                    tier.InputCacheRead ?? rates.InputCacheRead,
                    tier.InputCacheWrite ?? rates.InputCacheWrite,
                    tier.InputCacheWrite1h ?? rates.InputCacheWrite1h);
            }
        }
        return rates;
    }
}

/// <summary>USD per token after tiered overrides.</summary>
public readonly record struct TokenRates(decimal Prompt, decimal Completion, decimal InputCacheRead, decimal InputCacheWrite, decimal InputCacheWrite1h);
