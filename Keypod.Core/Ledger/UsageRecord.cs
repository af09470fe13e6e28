namespace Keypod.Core.Ledger;

/// <summary>One row of the ledger: one proxied request that passed authentication.</summary>
public sealed class UsageRecord
{
    public long Id { get; set; }

    /// <summary>Keypod's own id for the request; unique, so a replay or a reconciliation never counts twice.</summary>
    public required string RequestId { get; init; }
    public DateTime CreatedAt { get; set; }
    public Guid ProjectId { get; set; }
    public Guid UserId { get; set; }
    public Guid ProjectKeyId { get; set; }
    public Guid UserKeyId { get; set; }
    public required string Endpoint { get; set; }
    public string? Model { get; set; }
    public string? ServedModel { get; set; }
    public string? Provider { get; set; }
    public string? GenerationId { get; set; }
    public bool Stream { get; set; }
    public int Status { get; set; }
    public Outcome Outcome { get; set; }
    public string? ErrorMessage { get; set; }
    public int PromptTokens { get; set; }
    public int CompletionTokens { get; set; }
    public int CachedTokens { get; set; }
    public int CacheWriteTokens { get; set; }
    public int ReasoningTokens { get; set; }
    public int WebSearches { get; set; }
    public bool IsByok { get; set; }
    public decimal? UpstreamCostUsd { get; set; }
    public decimal MarkupPercent { get; set; }
    public decimal? BilledUsd { get; set; }
    public CostSource CostSource { get; set; }
    public int LatencyMs { get; set; }
    public int? TimeToFirstTokenMs { get; set; }
}

public enum Outcome
{
    Completed,
    ClientAborted,
    UpstreamError,
    MidstreamError,
    UpstreamUnreachable,
    UpstreamTimeout,
    Interrupted,
}

public enum CostSource
{
    /// <summary>Waiting for a background lookup (generation record or catalog) to price it.</summary>
    Pending,
    Upstream,
    Generation,
    Catalog,
    Unpriced,
    /// <summary>The upstream rejected the request before doing work; nothing was charged.</summary>
    None,
}
