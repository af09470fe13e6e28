using System.Text.Json;
using System.Text.Json.Serialization;
using Refit;

namespace Keypod.Core.Pricing;

/// <summary>The read-only OpenRouter endpoints Keypod prices with. Registered by <c>AddPricing()</c> in Keypod.Web.</summary>
public interface IOpenRouterApi
{
    /// <summary><c>GET /models</c>; pass <c>"all"</c> to include embedding, image, audio and rerank models.</summary>
    [Get("/models")]
    Task<ModelListResponse> GetModelsAsync([AliasAs("output_modalities")] string? outputModalities = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// <c>GET /generation?id=</c>. OpenRouter writes the record asynchronously and answers 404 for a second or two after
    /// a completion, so this returns the response instead of throwing: poll while <c>StatusCode</c> is 404.
    /// </summary>
    [Get("/generation")]
    Task<IApiResponse<GenerationResponse>> GetGenerationAsync(string id, CancellationToken cancellationToken = default);
}

/// <summary>
/// The body of <c>GET /models</c>. Models stay raw so the catalog can store and serve each one exactly as OpenRouter
/// sent it; <see cref="ListedModel.TryRead"/> reads the parts Keypod needs.
/// </summary>
public sealed record ModelListResponse
{
    public List<JsonElement>? Data { get; init; }

    /// <summary>Absent from older responses.</summary>
    public int? TotalCount { get; init; }
}

/// <summary>The <c>pricing</c> object of a model: USD per token unless noted; absent keys are zero.</summary>
public sealed record ModelPricing
{
    public decimal? Prompt { get; init; }
    public decimal? Completion { get; init; }

    /// <summary>USD per request.</summary>
    public decimal? Request { get; init; }

    /// <summary>USD per input image.</summary>
    public decimal? Image { get; init; }

    /// <summary>USD per web search.</summary>
    public decimal? WebSearch { get; init; }
    public decimal? InternalReasoning { get; init; }
    public decimal? InputCacheRead { get; init; }
    public decimal? InputCacheWrite { get; init; }

    [JsonPropertyName("input_cache_write_1h")]
    public decimal? InputCacheWrite1h { get; init; }
    public decimal? Audio { get; init; }
    public decimal? InputAudioCache { get; init; }
    public decimal? AudioOutput { get; init; }
    public decimal? ImageOutput { get; init; }
    public decimal? ImageToken { get; init; }
    public List<PricingOverrideEntry>? Overrides { get; init; }
}

/// <summary>
/// One entry of <c>pricing.overrides[]</c>: it applies when every condition it has matches; price keys it lacks keep
/// the base price. Conditions: <c>min_prompt_tokens</c> (prompt tokens strictly greater), <c>utc_start</c>/<c>utc_end</c>
/// (HHMM clock numbers, half-open, may wrap midnight) and <c>utc_days</c> (weekday names).
/// </summary>
public sealed record PricingOverrideEntry
{
    public int? MinPromptTokens { get; init; }
    public int? UtcStart { get; init; }
    public int? UtcEnd { get; init; }
    public List<string>? UtcDays { get; init; }
    public decimal? Prompt { get; init; }
    public decimal? Completion { get; init; }
    public decimal? InputCacheRead { get; init; }
    public decimal? InputCacheWrite { get; init; }

    [JsonPropertyName("input_cache_write_1h")]
    public decimal? InputCacheWrite1h { get; init; }
    public decimal? Audio { get; init; }
    public decimal? InputAudioCache { get; init; }
}

/// <summary>The body of <c>GET /generation?id=</c>.</summary>
public sealed record GenerationResponse
{
    public Generation? Data { get; init; }
}

/// <summary>A generation record. Money fields are USD read as <see cref="decimal"/>; <c>usage</c> here is a cost, not tokens.</summary>
public sealed record Generation
{
    public required string Id { get; init; }
    public decimal? TotalCost { get; init; }
    public decimal? Usage { get; init; }
    public decimal? UpstreamInferenceCost { get; init; }
    public decimal? CacheDiscount { get; init; }
    public bool? IsByok { get; init; }
    public string? Model { get; init; }
    public string? ProviderName { get; init; }
    public string? UpstreamId { get; init; }
    public string? ApiType { get; init; }
    public bool? Streamed { get; init; }
    public bool? Cancelled { get; init; }
    public string? FinishReason { get; init; }
    public string? NativeFinishReason { get; init; }
    public int? TokensPrompt { get; init; }
    public int? TokensCompletion { get; init; }
    public int? NativeTokensPrompt { get; init; }
    public int? NativeTokensCompletion { get; init; }
    public int? NativeTokensReasoning { get; init; }
    public int? NativeTokensCached { get; init; }
    public int? NumSearchResults { get; init; }
    public int? Latency { get; init; }
    public int? GenerationTime { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
}
