namespace Keypod.Core.Usage;

/// <summary>The <c>usage</c> object of an OpenRouter response or stream chunk.</summary>
public sealed record UpstreamUsage
{
    public int PromptTokens { get; init; }
    public int CompletionTokens { get; init; }
    public int CachedTokens { get; init; }
    public int CacheWriteTokens { get; init; }
    public int ReasoningTokens { get; init; }
    public int WebSearches { get; init; }
    public decimal? Cost { get; init; }
    public bool IsByok { get; init; }
    public decimal? UpstreamInferenceCost { get; init; }

    /// <summary>What the upstream charged for this request: <c>cost</c>, or for BYOK the provider's own charge.</summary>
    public decimal? ChargedUsd => IsByok ? UpstreamInferenceCost ?? Cost : Cost;
}

/// <summary>What Keypod learns about a response from its JSON (a body, or one stream chunk).</summary>
public sealed class ResponseFacts
{
    public string? GenerationId { get; set; }
    public string? Model { get; set; }
    public string? Provider { get; set; }
    public UpstreamUsage? Usage { get; set; }
    public string? ErrorMessage { get; set; }
    public int? ErrorCode { get; set; }

    /// <summary>Byte offsets inside the scanned JSON, for rewriting the cost a client sees without touching other bytes.</summary>
    internal UsageCostLocation CostLocation { get; set; }
}

internal readonly record struct UsageCostLocation(int CostStart, int CostLength, int CostDetailsOpen, int UsageClose)
{
    public bool HasCost => CostLength > 0;
}
