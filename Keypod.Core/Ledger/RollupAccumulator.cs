using Keypod.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Keypod.Core.Ledger;

/// <summary>Adds ledger rows to (or, with sign −1, takes them out of) their daily rollup inside the writer's transaction.</summary>
sealed class RollupAccumulator(KeypodDbContext db)
{
    readonly Dictionary<(Guid Project, DateOnly Day, Guid User, string Model), UsageRollup> loaded = [];

    public static string RollupModel(UsageRecord record) => record.ServedModel ?? record.Model ?? "(unknown)";

    public async Task AddAsync(UsageRecord record, int sign)
    {
        var key = (record.ProjectId, DateOnly.FromDateTime(record.CreatedAt), record.UserId, RollupModel(record));
        if (!loaded.TryGetValue(key, out var rollup))
        {
            rollup = await db.UsageRollups.FirstOrDefaultAsync(r =>
                r.ProjectId == key.ProjectId && r.Day == key.Item2 && r.UserId == key.UserId && r.Model == key.Item4);
            if (rollup is null)
            {
                rollup = new UsageRollup { ProjectId = key.ProjectId, Day = key.Item2, UserId = key.UserId, Model = key.Item4 };
                db.UsageRollups.Add(rollup);
            }
            loaded[key] = rollup;
        }
        rollup.Requests += sign;
        rollup.PromptTokens += sign * record.PromptTokens;
        rollup.CompletionTokens += sign * record.CompletionTokens;
        rollup.CachedTokens += sign * record.CachedTokens;
        rollup.ReasoningTokens += sign * record.ReasoningTokens;
        rollup.UpstreamCostUsd += sign * (record.UpstreamCostUsd ?? 0m);
        rollup.BilledUsd += sign * (record.BilledUsd ?? 0m);
        if (record.CostSource is CostSource.Pending or CostSource.Unpriced)
        {
            rollup.UnpricedRequests += sign;
        }
    }
}
