using Keypod.Tests.Infrastructure;
using System.Text.Json;
using Keypod.Core.Pricing;

namespace Keypod.Tests.Pricing;

/// <summary>
/// Real responses whose <c>usage.cost</c> OpenRouter computed from its list prices: the catalog, fed the real catalog
/// capture, must arrive at the same amount to the last digit. (Responses priced by a provider's own rates, or with web
/// search plugin fees, are left out: the list price cannot reproduce those.)
/// </summary>
public sealed class CapturedCostTests : IDisposable
{
    readonly TempDatabase database = new();
    readonly FakeOpenRouterHandler upstream = new();

    public void Dispose() => database.Dispose();

    [Theory]
    [InlineData("chat/chat_function_calling_openrouter_claude-haiku-4-5_can_use_tools__0__200.json")]
    [InlineData("chat/chat_with_extended_thinking_openrouter_claude-haiku-4-5_returns_thinking_when_available__0__200.json")]
    [InlineData("chat/chat_completion__xyzmee322_skills__SKILL.md_L47-90.json")]
    [InlineData("stream/stream-text-with-empty-parameters-tools-when-using-gpt-5-1.sse")]
    [InlineData("stream/pydantic-ai__test_openrouter_streaming_reasoning__0__200.sse")]
    [InlineData("stream/pydantic-ai__test_openrouter_cache_streaming_e2e__0__200.sse")]
    [InlineData("client-recordings/ai-sdk-provider/7buJmKWfmK3/response.jsonl")]
    public async Task The_catalog_prices_a_captured_response_as_openrouter_charged_it(string capture)
    {
        upstream.ServeModels(File.ReadAllText(Fixtures.PathOf("models/models-all-modalities-2026-08-19.json")));
        await using var app = await PricingHarness.StartAsync(database.Path, upstream);
        (await app.Catalog.RefreshAsync()).Succeeded.Should().BeTrue();
        var (model, usage) = LastUsage(capture);

        var prompt = usage.GetProperty("prompt_tokens").GetInt32();
        var details = usage.TryGetProperty("prompt_tokens_details", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
        var completionDetails = usage.TryGetProperty("completion_tokens_details", out var c) && c.ValueKind == JsonValueKind.Object ? c : default;
        var mix = new TokenMix(
            prompt,
            usage.GetProperty("completion_tokens").GetInt32(),
            CachedTokens: Count(details, "cached_tokens"),
            CacheWriteTokens: Count(details, "cache_write_tokens"),
            ReasoningTokens: Count(completionDetails, "reasoning_tokens"));

        app.Catalog.EstimateCost(model, mix, DateTime.UtcNow).Should().Be(usage.GetProperty("cost").GetDecimal(), $"{model} {mix}");
    }

    static int Count(JsonElement details, string name) =>
        details.ValueKind == JsonValueKind.Object && details.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : 0;

    /// <summary>The last object carrying a usage with a cost: a body, an SSE data line, or a recorder's JSON line.</summary>
    static (string Model, JsonElement Usage) LastUsage(string capture)
    {
        var text = File.ReadAllText(Fixtures.PathOf(capture));
        var candidates = new List<string>();
        if (capture.EndsWith(".json", StringComparison.Ordinal))
        {
            candidates.Add(text);
        }
        foreach (var line in text.Split('\n').Select(l => l.Trim()))
        {
            if (line.StartsWith("data:", StringComparison.Ordinal) && line.Contains("\"usage\"", StringComparison.Ordinal))
            {
                candidates.Add(line[5..]);
            }
            else if (line.StartsWith("{\"json\"", StringComparison.Ordinal) && line.Contains("\"usage\"", StringComparison.Ordinal))
            {
                candidates.Add(JsonDocument.Parse(line).RootElement.GetProperty("json").GetRawText());
            }
        }
        foreach (var json in Enumerable.Reverse(candidates))
        {
            var root = JsonDocument.Parse(json).RootElement;
            if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object && usage.TryGetProperty("cost", out _))
            {
                return (root.GetProperty("model").GetString()!, usage);
            }
        }
        throw new InvalidOperationException("The capture holds no usage with a cost.");
    }
}
