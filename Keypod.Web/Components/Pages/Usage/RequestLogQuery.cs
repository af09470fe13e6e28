using Keypod.Core.Data;
using Keypod.Core.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Keypod.Web.Components.Pages.Usage;

public sealed record RequestLogRow(
    long Id, string RequestId, DateTime CreatedAt, Guid ProjectId, string ProjectName, Guid UserId, string UserName, string Endpoint,
    string? Model, string? ServedModel, string? Provider, string? GenerationId, bool Stream, int Status, Outcome Outcome, string? Error,
    int PromptTokens, int CompletionTokens, int CachedTokens, int CacheWriteTokens, int ReasoningTokens, decimal? UpstreamCostUsd,
    decimal MarkupPercent, decimal? BilledUsd, CostSource CostSource, int LatencyMs, int? TimeToFirstTokenMs)
{
    public decimal? MarkupUsd => BilledUsd - UpstreamCostUsd;
}

/// <summary>
/// The request log's filters. <see cref="ProjectIds"/> null means every project (platform admins); otherwise the projects the reader
/// may see, or the one they picked.
/// </summary>
public sealed record RequestLogFilter(
    IReadOnlyCollection<Guid>? ProjectIds, Guid? UserId, string? Model, Outcome? Outcome, CostSource? CostSource, DateTime? FromUtc, DateTime? ToUtc);

/// <summary>
/// One page of the ledger by keyset on the primary key, so it reads along the <c>(ProjectId, Id)</c> and <c>(ProjectId, UserId, Id)</c>
/// indexes and never counts the whole ledger: the page asks for one row more than it shows to know whether another page follows.
/// </summary>
public static class RequestLogQuery
{
    public static async Task<(List<RequestLogRow> Rows, bool More)> PageAsync(KeypodDbContext db, RequestLogFilter filter, long? after, bool newestFirst,
        int size, CancellationToken cancellationToken)
    {
        var query = db.UsageRecords.AsNoTracking();
        if (filter.ProjectIds is { Count: 1 } single)
        {
            var projectId = single.First();
            query = query.Where(r => r.ProjectId == projectId);
        }
        else if (filter.ProjectIds is { } ids)
        {
            query = query.Where(r => ids.Contains(r.ProjectId));
        }
        if (filter.UserId is { } userId)
        {
            query = query.Where(r => r.UserId == userId);
        }
        if (!string.IsNullOrWhiteSpace(filter.Model))
        {
            var model = filter.Model.Trim();
            query = query.Where(r => r.Model == model || r.ServedModel == model);
        }
        if (filter.Outcome is { } outcome)
        {
            query = query.Where(r => r.Outcome == outcome);
        }
        if (filter.CostSource is { } source)
        {
            // Literals for the rare states, so SQLite can use their partial indexes.
            query = source switch
            {
                CostSource.Pending => query.Where(r => r.CostSource == CostSource.Pending),
                CostSource.Unpriced => query.Where(r => r.CostSource == CostSource.Unpriced),
                _ => query.Where(r => r.CostSource == source),
            };
        }
        if (filter.FromUtc is { } from)
        {
            query = query.Where(r => r.CreatedAt >= from);
        }
        if (filter.ToUtc is { } to)
        {
            query = query.Where(r => r.CreatedAt < to);
        }
        if (after is { } cursor)
        {
            query = newestFirst ? query.Where(r => r.Id < cursor) : query.Where(r => r.Id > cursor);
        }
        query = newestFirst ? query.OrderByDescending(r => r.Id) : query.OrderBy(r => r.Id);
        var records = await query.Take(size + 1).ToListAsync(cancellationToken);
        var more = records.Count > size;
        if (more)
        {
            records.RemoveAt(records.Count - 1);
        }
        var userIds = records.Select(r => r.UserId).Distinct().ToList();
        var projectIds = records.Select(r => r.ProjectId).Distinct().ToList();
        var users = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Name, cancellationToken);
        var projects = await db.Projects.AsNoTracking().Where(p => projectIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, cancellationToken);
        var rows = records.Select(r => new RequestLogRow(r.Id, r.RequestId, r.CreatedAt, r.ProjectId, projects.GetValueOrDefault(r.ProjectId, "(deleted project)"),
            r.UserId, users.GetValueOrDefault(r.UserId, "(deleted user)"), r.Endpoint, r.Model, r.ServedModel, r.Provider, r.GenerationId, r.Stream,
            r.Status, r.Outcome, r.ErrorMessage, r.PromptTokens, r.CompletionTokens, r.CachedTokens, r.CacheWriteTokens, r.ReasoningTokens,
            r.UpstreamCostUsd, r.MarkupPercent, r.BilledUsd, r.CostSource, r.LatencyMs, r.TimeToFirstTokenMs)).ToList();
        return (rows, more);
    }
}
