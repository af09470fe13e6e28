namespace Keypod.Core.Ledger;

/// <summary>
/// Daily totals per project, user and model, maintained by the ledger writer in the same transaction as the rows,
/// so billing queries read thousands of rollup rows instead of millions of ledger rows.
/// </summary>
public sealed class UsageRollup
{
    public Guid ProjectId { get; set; }
    public Guid UserId { get; set; }
    public required string Model { get; set; }
    public DateOnly Day { get; set; }
    public long Requests { get; set; }
    public long PromptTokens { get; set; }
    public long CompletionTokens { get; set; }
    public long CachedTokens { get; set; }
    public long ReasoningTokens { get; set; }
    public long UnpricedRequests { get; set; }
    public decimal UpstreamCostUsd { get; set; }
    public decimal BilledUsd { get; set; }
}
