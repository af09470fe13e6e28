namespace Keypod.Core.Ledger;

/// <summary>The measures every rollup keeps; what <c>UsageLedger</c> adds (or takes back) for one ledger row.</summary>
public abstract class RollupTotals
{
    public Guid ProjectId { get; set; }
    public DateOnly Day { get; set; }
    public long Requests { get; set; }
    public long PromptTokens { get; set; }
    public long CompletionTokens { get; set; }
    public long CachedTokens { get; set; }
    public long ReasoningTokens { get; set; }
    public long UnpricedRequests { get; set; }
    public decimal UpstreamCostUsd { get; set; }
    public decimal BilledUsd { get; set; }

    public void Add(UsageRecord record, int sign)
    {
        Requests += sign;
        PromptTokens += sign * record.PromptTokens;
        CompletionTokens += sign * record.CompletionTokens;
        CachedTokens += sign * record.CachedTokens;
        ReasoningTokens += sign * record.ReasoningTokens;
        UpstreamCostUsd += sign * (record.UpstreamCostUsd ?? 0m);
        BilledUsd += sign * (record.BilledUsd ?? 0m);
        if (record.CostSource is CostSource.Pending or CostSource.Unpriced)
        {
            UnpricedRequests += sign;
        }
    }
}

/// <summary>
/// Daily totals per project, user and model, maintained by the ledger writer in the same transaction as the rows,
/// so billing queries read thousands of rollup rows instead of millions of ledger rows.
/// </summary>
public sealed class UsageRollup : RollupTotals
{
    public Guid UserId { get; set; }
    public required string Model { get; set; }
}

/// <summary>
/// The same totals per project, day and user (all models together), kept beside <see cref="UsageRollup"/> by the ledger
/// writer: the per-user and per-day reports read one row per active user and day instead of one per user, model and day,
/// because SQLite sums the TEXT decimals through EF's managed <c>ef_sum</c> aggregate, a few microseconds a row.
/// </summary>
public sealed class UsageUserDay : RollupTotals
{
    public Guid UserId { get; set; }
}

/// <summary>The same totals per project, day and model (all users together), for the per-model reports.</summary>
public sealed class UsageModelDay : RollupTotals
{
    public required string Model { get; set; }
}

/// <summary>
/// The same totals per project and day (all users and models together), for the per-day series and the by-project grouping:
/// 90 rows for 90 days of a project, however many users it has.
/// </summary>
public sealed class UsageProjectDay : RollupTotals;

/// <summary>
/// The same totals per project, month and user, for statements: <see cref="RollupTotals.Day"/> holds the first day of the UTC
/// month (column <c>Month</c>), so a month is one row per active user instead of one per user and day.
/// </summary>
public sealed class UsageUserMonth : RollupTotals
{
    public Guid UserId { get; set; }
}

/// <summary>The same totals per project, month and model (<see cref="RollupTotals.Day"/> is the month's first day), for statements.</summary>
public sealed class UsageModelMonth : RollupTotals
{
    public required string Model { get; set; }
}
