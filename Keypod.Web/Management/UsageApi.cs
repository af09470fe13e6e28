using Keypod.Core.Data;
using Keypod.Core.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Keypod.Web.Management;

public sealed record UsageLine(string Key, long Requests, long PromptTokens, long CompletionTokens, long UnpricedRequests, decimal UpstreamCostUsd, decimal BilledUsd);

public sealed record UsageReport(DateOnly From, DateOnly To, string GroupBy, IReadOnlyList<UsageLine> Items, UsageLine Totals);

static class UsageApi
{
    public static void MapUsageApi(this IEndpointRouteBuilder api) =>
        api.MapGet("/projects/{projectId:guid}/usage", GetAsync).WithTags("Billing");

    /// <summary>Totals from the daily per-user or per-model rollups. <c>from</c> is inclusive, <c>to</c> exclusive (UTC days); default: this month so far.</summary>
    static async Task<IResult> GetAsync(Guid projectId, DateTime? from, DateTime? to, string? groupBy, KeypodDbContext db, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var fromDay = from is { } f ? DateOnly.FromDateTime(f.ToUniversalTime()) : new DateOnly(today.Year, today.Month, 1);
        var toDay = to is { } t ? DateOnly.FromDateTime(t.ToUniversalTime()) : today.AddDays(1);
        if (toDay <= fromDay)
        {
            return ApiErrors.BadRequest("to must be after from.");
        }
        groupBy ??= "user";
        if (groupBy is not ("user" or "model" or "day"))
        {
            return ApiErrors.BadRequest("groupBy must be user, model or day.");
        }
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, cancellationToken))
        {
            return ApiErrors.NotFound("Project");
        }
        // The per-user and per-model day rollups, not UsageRollups: a fraction of the rows for EF's managed decimal sum.
        var byUser = db.UsageUserDays.AsNoTracking().Where(r => r.ProjectId == projectId && r.Day >= fromDay && r.Day < toDay);
        var items = groupBy switch
        {
            "model" => await Totals(db.UsageModelDays.AsNoTracking().Where(r => r.ProjectId == projectId && r.Day >= fromDay && r.Day < toDay)
                .GroupBy(r => r.Model), cancellationToken),
            "day" => await Totals(byUser.GroupBy(r => r.Day), cancellationToken),
            _ => await Totals(byUser.GroupBy(r => r.UserId), cancellationToken),
        };
        var totals = new UsageLine("total", items.Sum(i => i.Requests), items.Sum(i => i.PromptTokens), items.Sum(i => i.CompletionTokens),
            items.Sum(i => i.UnpricedRequests), items.Sum(i => i.UpstreamCostUsd), items.Sum(i => i.BilledUsd));
        return TypedResults.Ok(new UsageReport(fromDay, toDay, groupBy, items, totals));
    }

    static async Task<List<UsageLine>> Totals<TKey, TRollup>(IQueryable<IGrouping<TKey, TRollup>> groups, CancellationToken cancellationToken)
        where TRollup : RollupTotals
    {
        var rows = await groups.Select(g => new
        {
            g.Key,
            Requests = g.Sum(r => r.Requests),
            PromptTokens = g.Sum(r => r.PromptTokens),
            CompletionTokens = g.Sum(r => r.CompletionTokens),
            Unpriced = g.Sum(r => r.UnpricedRequests),
            Upstream = g.Sum(r => r.UpstreamCostUsd),
            Billed = g.Sum(r => r.BilledUsd),
        }).ToListAsync(cancellationToken);
        return rows
            .Select(r => new UsageLine(KeyText(r.Key), r.Requests, r.PromptTokens, r.CompletionTokens, r.Unpriced, r.Upstream, r.Billed))
            .OrderBy(l => l.Key, StringComparer.Ordinal)
            .ToList();
    }

    static string KeyText<TKey>(TKey key) => key switch
    {
        DateOnly day => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        Guid id => id.ToString(),
        _ => key?.ToString() ?? "",
    };
}
