using System.Globalization;
using Keypod.Core.Data;
using Keypod.Core.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Keypod.Core.Billing;

public enum BillingGroup
{
    User,
    Model,
    Day,
    Project,
}

/// <summary>
/// Totals of one group over a range. <see cref="UnpricedRequests"/> counts rows still pending a price or never priced:
/// their cost is missing from the sums, so a screen must flag them rather than show the sum as complete.
/// </summary>
public sealed record BillingLine(string Key, string Name, long Requests, long PromptTokens, long CompletionTokens, long UnpricedRequests,
    decimal UpstreamCostUsd, decimal BilledUsd)
{
    public decimal MarkupUsd => BilledUsd - UpstreamCostUsd;
}

public sealed record BillingReport(DateOnly From, DateOnly To, BillingGroup GroupBy, IReadOnlyList<BillingLine> Lines, BillingLine Totals);

public sealed record StatementLine(string Key, string Name, long Requests, long PromptTokens, long CompletionTokens, long UnpricedRequests,
    decimal UpstreamCostUsd, decimal MarkupUsd, decimal BilledUsd)
{
    public static StatementLine From(BillingLine line) =>
        new(line.Key, line.Name, line.Requests, line.PromptTokens, line.CompletionTokens, line.UnpricedRequests, line.UpstreamCostUsd, line.MarkupUsd, line.BilledUsd);
}

public sealed record Statement(Guid ProjectId, string ProjectName, string Month, DateOnly From, DateOnly To,
    IReadOnlyList<StatementLine> Users, IReadOnlyList<StatementLine> Models, StatementLine Totals);

/// <summary>
/// The billing queries of the management API and the dashboard: grouped sums over the daily rollup rows of
/// some projects and a range of UTC days (<c>from</c> inclusive, <c>to</c> exclusive), aggregated in SQL. Callers decide which
/// projects the reader may see; these functions only read.
/// </summary>
public static class BillingReports
{
    public static DateOnly Today => DateOnly.FromDateTime(DateTime.UtcNow);

    public static DateOnly MonthStart(DateOnly day) => new(day.Year, day.Month, 1);

    public static Task<BillingReport> ProjectAsync(KeypodDbContext db, Guid projectId, DateOnly from, DateOnly to, BillingGroup groupBy,
        CancellationToken cancellationToken = default) =>
        ReportAsync(db, new Scope([projectId], from, to, null), groupBy, cancellationToken);

    public static Task<BillingReport> ProjectsAsync(KeypodDbContext db, IReadOnlyCollection<Guid> projectIds, DateOnly from, DateOnly to,
        BillingGroup groupBy, CancellationToken cancellationToken = default) =>
        ReportAsync(db, new Scope(projectIds, from, to, null), groupBy, cancellationToken);

    /// <summary>One user's totals (by model or by day) within their project.</summary>
    public static Task<BillingReport> UserAsync(KeypodDbContext db, Guid projectId, Guid userId, DateOnly from, DateOnly to, BillingGroup groupBy,
        CancellationToken cancellationToken = default) =>
        ReportAsync(db, new Scope([projectId], from, to, userId), groupBy, cancellationToken);

    /// <summary>A month's statement of one project, by user and by model, ordered by billed amount; null when the project does not exist.</summary>
    public static async Task<Statement?> StatementAsync(KeypodDbContext db, Guid projectId, DateOnly month, CancellationToken cancellationToken = default)
    {
        var project = await db.Projects.AsNoTracking().Where(p => p.Id == projectId).Select(p => new { p.Id, p.Name }).FirstOrDefaultAsync(cancellationToken);
        if (project is null)
        {
            return null;
        }
        var from = MonthStart(month);
        var to = from.AddMonths(1);
        // The month rollups: one row per active user (or model) of the month instead of one per day.
        var scope = new Scope([projectId], from, to, null);
        var byUser = Sorted(await UserNamesAsync(db, await SumAsync(scope.Of(db.UsageUserMonths).GroupBy(r => r.UserId), cancellationToken), cancellationToken));
        var byModel = Sorted(Named(await SumAsync(scope.Of(db.UsageModelMonths).GroupBy(r => r.Model), cancellationToken), m => m));
        var users = byUser.Select(StatementLine.From)
            .OrderByDescending(l => l.BilledUsd).ThenBy(l => l.Name, StringComparer.Ordinal).ToList();
        var models = byModel.Select(StatementLine.From)
            .OrderByDescending(l => l.BilledUsd).ThenBy(l => l.Key, StringComparer.Ordinal).ToList();
        var totals = StatementLine.From(Total(byUser));
        return new Statement(project.Id, project.Name, from.ToString("yyyy-MM", CultureInfo.InvariantCulture), from, to, users, models, totals);
    }

    /// <summary>Which rollup rows a report reads: some projects, a range of days (or of month starts), perhaps one user.</summary>
    sealed record Scope(IReadOnlyCollection<Guid> ProjectIds, DateOnly From, DateOnly To, Guid? UserId)
    {
        public IQueryable<T> Of<T>(IQueryable<T> rollups) where T : RollupTotals
        {
            // One project is an equality, so SQLite walks the (ProjectId, Day) key instead of joining a parameter list.
            var projectId = ProjectIds.Count == 1 ? ProjectIds.First() : Guid.Empty;
            var ids = ProjectIds;
            var query = ProjectIds.Count == 1
                ? rollups.Where(r => r.ProjectId == projectId)
                : rollups.Where(r => ids.Contains(r.ProjectId));
            return query.Where(r => r.Day >= From && r.Day < To).AsNoTracking();
        }
    }

    /// <summary>
    /// Each grouping reads the coarsest rollup that has its key — per project and day, per user and day, or per model and day
    /// (a tenth of the fine rows in a busy month, or one row a day) — since EF sums SQLite's decimal text with a managed aggregate, row by row.
    /// </summary>
    static async Task<BillingReport> ReportAsync(KeypodDbContext db, Scope scope, BillingGroup groupBy, CancellationToken cancellationToken)
    {
        var userDays = scope.Of(db.UsageUserDays);
        if (scope.UserId is { } userId)
        {
            userDays = userDays.Where(r => r.UserId == userId);
        }
        var lines = groupBy switch
        {
            BillingGroup.Model when scope.UserId is { } user =>
                Named(await SumAsync(scope.Of(db.UsageRollups).Where(r => r.UserId == user).GroupBy(r => r.Model), cancellationToken), m => m),
            BillingGroup.Model => Named(await SumAsync(scope.Of(db.UsageModelDays).GroupBy(r => r.Model), cancellationToken), m => m),
            BillingGroup.Day when scope.UserId is not null => Named(await SumAsync(userDays.GroupBy(r => r.Day), cancellationToken), DayKey),
            BillingGroup.Day => Named(await SumAsync(scope.Of(db.UsageProjectDays).GroupBy(r => r.Day), cancellationToken), DayKey),
            BillingGroup.Project when scope.UserId is not null =>
                await ProjectNamesAsync(db, await SumAsync(userDays.GroupBy(r => r.ProjectId), cancellationToken), cancellationToken),
            BillingGroup.Project =>
                await ProjectNamesAsync(db, await SumAsync(scope.Of(db.UsageProjectDays).GroupBy(r => r.ProjectId), cancellationToken), cancellationToken),
            _ => await UserNamesAsync(db, await SumAsync(userDays.GroupBy(r => r.UserId), cancellationToken), cancellationToken),
        };
        lines = Sorted(lines);
        return new BillingReport(scope.From, scope.To, groupBy, lines, Total(lines));
    }

    static string DayKey(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    static List<BillingLine> Sorted(List<BillingLine> lines) => [.. lines.OrderBy(l => l.Key, StringComparer.Ordinal)];

    static BillingLine Total(List<BillingLine> lines) =>
        new("total", "Total", lines.Sum(l => l.Requests), lines.Sum(l => l.PromptTokens), lines.Sum(l => l.CompletionTokens),
            lines.Sum(l => l.UnpricedRequests), lines.Sum(l => l.UpstreamCostUsd), lines.Sum(l => l.BilledUsd));

    sealed record GroupTotals<TKey>(TKey Key, long Requests, long PromptTokens, long CompletionTokens, long Unpriced, decimal Upstream, decimal Billed);

    static async Task<List<GroupTotals<TKey>>> SumAsync<TKey, TRollup>(IQueryable<IGrouping<TKey, TRollup>> groups, CancellationToken cancellationToken)
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
        return [.. rows.Select(r => new GroupTotals<TKey>(r.Key, r.Requests, r.PromptTokens, r.CompletionTokens, r.Unpriced, r.Upstream, r.Billed))];
    }

    static List<BillingLine> Named<TKey>(List<GroupTotals<TKey>> groups, Func<TKey, string> key) =>
        [.. groups.Select(g => Line(key(g.Key), key(g.Key), g))];

    static async Task<List<BillingLine>> UserNamesAsync(KeypodDbContext db, List<GroupTotals<Guid>> groups, CancellationToken cancellationToken)
    {
        var ids = groups.Select(g => g.Key).ToList();
        var names = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Name, cancellationToken);
        return [.. groups.Select(g => Line(g.Key.ToString(), names.GetValueOrDefault(g.Key, "(deleted user)"), g))];
    }

    static async Task<List<BillingLine>> ProjectNamesAsync(KeypodDbContext db, List<GroupTotals<Guid>> groups, CancellationToken cancellationToken)
    {
        var ids = groups.Select(g => g.Key).ToList();
        var names = await db.Projects.AsNoTracking().Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, cancellationToken);
        return [.. groups.Select(g => Line(g.Key.ToString(), names.GetValueOrDefault(g.Key, "(deleted project)"), g))];
    }

    static BillingLine Line<TKey>(string key, string name, GroupTotals<TKey> g) =>
        new(key, name, g.Requests, g.PromptTokens, g.CompletionTokens, g.Unpriced, g.Upstream, g.Billed);
}
